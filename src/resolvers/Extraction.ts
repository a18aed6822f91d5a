import { ErrorCode, UserError, badInput } from '../errors.js';
import { extractAgainstGraph } from '../extraction/againstGraph.js';
import { MAX_TEXT_CHARS } from '../extraction/extract.js';
import { checkDraftInputs } from '../extraction/recordInput.js';
import type { MutationResolvers, QueryResolvers } from '../generated/graphql.js';

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
    const drafts = await extractAgainstGraph(stores, text, {
      sourceDate: source?.publishedOn ?? null,
    });
    return { drafts };
  },
};

/** Behind the admin token by construction, as every Mutation field (writeGuard.ts). */
export const ExtractionMutation: Pick<MutationResolvers, 'recordDrafts'> = {
  async recordDrafts(_, { input }, ctx) {
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
