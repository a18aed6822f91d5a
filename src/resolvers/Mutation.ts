import { checkCompany, checkDeal, type Checked } from '../domain/validate.js';
import { badInput, notFound } from '../errors.js';
import type { DeletedDealResolvers, MutationResolvers } from '../generated/graphql.js';
import type { CompanyRow, DealRow } from '../stores/rows.js';

/**
 * Every field here runs behind the write guard, applied over the whole Mutation type when the
 * resolvers are assembled (writeGuard.ts); resolvers need not check the caller themselves.
 */
export { requireAdmin } from './writeGuard.js';

function valid<T>(checked: Checked<T>): T {
  if (!checked.ok) throw badInput(checked.problems);
  return checked.value;
}

async function reload<T extends CompanyRow | DealRow>(
  row: Promise<(T | null)[]>,
  what: string,
  id: string,
): Promise<T> {
  const [found] = await row;
  if (!found) throw notFound(what, id); // deleted between our write and this read
  return found;
}

export const Mutation: MutationResolvers = {
  /** Only the fields given change: the store merges them into the stored company. */
  async upsertCompany(_, { input }, ctx) {
    const { ifVersion, ...patch } = input;
    // The fields given are checked before any read (the name may be left out of a change).
    valid(checkCompany({ name: 'unchanged', ...patch }));
    await ctx.stores.companies.patch(input.id, patch, ifVersion, (merged) =>
      valid(checkCompany(merged)),
    );
    return reload(ctx.stores.companies.byIds([input.id]), 'company', input.id);
  },

  async recordInvestment(_, { input: { ifVersion, ...input } }, ctx) {
    const deal = valid(checkDeal('INVESTMENT', input));
    await ctx.stores.deals.record(deal, ifVersion);
    return reload(ctx.stores.deals.byIds([deal.id]), 'deal', deal.id);
  },

  async recordCommitment(_, { input: { ifVersion, ...input } }, ctx) {
    const deal = valid(checkDeal('COMMITMENT', input));
    await ctx.stores.deals.record(deal, ifVersion);
    return reload(ctx.stores.deals.byIds([deal.id]), 'deal', deal.id);
  },

  async deleteDeal(_, { id, ifVersion }, ctx) {
    const deleted = await ctx.stores.deals.delete(id, ifVersion);
    if (!deleted) throw notFound('deal', id);
    return deleted;
  },

  async deleteCompany(_, { id, cascade, ifVersion }, ctx) {
    const deleted = await ctx.stores.companies.delete(id, cascade, ifVersion, ctx.stores.deals);
    if (!deleted) throw notFound('company', id);
    return deleted;
  },
};

export const DeletedDeal: DeletedDealResolvers = {
  typeName: (deal) => (deal.type === 'INVESTMENT' ? 'Investment' : 'CloudCommitment'),
};
