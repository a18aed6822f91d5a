import { ErrorCode, UserError, badInput } from '../errors.js';
import { looksLikeSameDeal } from '../extraction/existing.js';
import { MAX_TEXT_CHARS, extractDrafts } from '../extraction/extract.js';
import { Gazetteer } from '../extraction/gazetteer.js';
import { checkDraftInputs } from '../extraction/recordInput.js';
import type { MutationResolvers, QueryResolvers } from '../generated/graphql.js';
import type { DealRow } from '../stores/rows.js';
import { requireAdmin } from './Mutation.js';

/** Most companies the gazetteer reads (the whole graph, in one query, far beyond today's size). */
const GAZETTEER_MAX_COMPANIES = 100_000;

export const ExtractionQuery: Pick<QueryResolvers, 'extractDeals'> = {
  /** The graph's companies as the gazetteer, the parser (pure), then look-alike recorded deals. */
  async extractDeals(_, { text, source }, { stores }) {
    if (text.length > MAX_TEXT_CHARS) {
      throw new UserError(
        ErrorCode.BAD_USER_INPUT,
        `text: at most ${MAX_TEXT_CHARS} characters (got ${text.length}); send the article in parts.`,
        {
          limit: 'text',
          max: MAX_TEXT_CHARS,
          problems: [{ field: 'text', message: `must be at most ${MAX_TEXT_CHARS} characters` }],
        },
      );
    }
    const companies = await stores.companies.list({}, 'ID_ASC', {
      offset: 0,
      limit: GAZETTEER_MAX_COMPANIES,
    });
    const drafts = extractDrafts(text, new Gazetteer(companies.rows), {
      sourceDate: source?.publishedOn ?? null,
    });
    // Only drafts whose two companies are both in the graph can have been recorded.
    const known = drafts.filter((d) => d.from.company && d.to.company);
    const recorded = await stores.extraction.dealsBetweenFamilies(
      known.map((d) => ({ type: d.type, fromId: d.from.company!.id, toId: d.to.company!.id })),
    );
    const existing = new Map<object, DealRow[]>(
      known.map((d, i) => [d, (recorded[i] ?? []).filter((deal) => looksLikeSameDeal(d, deal))]),
    );
    return { drafts: drafts.map((d) => ({ ...d, existing: existing.get(d) ?? [] })) };
  },
};

export const ExtractionMutation: Pick<MutationResolvers, 'recordDrafts'> = {
  async recordDrafts(_, { input }, ctx) {
    requireAdmin(ctx);
    const checked = checkDraftInputs(input);
    if (!checked.ok) throw badInput(checked.problems);
    const { deals, parties } = checked.value;
    await ctx.stores.extraction.recordDrafts(parties, deals);
    const rows = await ctx.stores.deals.byIds(deals.map((d) => d.id));
    return rows.map((row, i) => {
      // Deleted between our write and this read.
      if (!row) throw new UserError(ErrorCode.NOT_FOUND, `No deal with id '${deals[i]!.id}'.`);
      return row;
    });
  },
};
