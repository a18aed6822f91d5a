import { checkCompany, checkDeal, type Checked } from '../domain/validate.js';
import { badInput, notFound } from '../errors.js';
import type { MutationResolvers } from '../generated/graphql.js';
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
  async upsertCompany(_, { input }, ctx) {
    const company = valid(checkCompany(input));
    await ctx.stores.companies.upsert(company);
    return reload(ctx.stores.companies.byIds([company.id]), 'company', company.id);
  },

  async recordInvestment(_, { input }, ctx) {
    const deal = valid(checkDeal('INVESTMENT', input));
    await ctx.stores.deals.record(deal);
    return reload(ctx.stores.deals.byIds([deal.id]), 'deal', deal.id);
  },

  async recordCommitment(_, { input }, ctx) {
    const deal = valid(checkDeal('COMMITMENT', input));
    await ctx.stores.deals.record(deal);
    return reload(ctx.stores.deals.byIds([deal.id]), 'deal', deal.id);
  },

  async deleteDeal(_, { id }, ctx) {
    if (!(await ctx.stores.deals.delete(id))) throw notFound('deal', id);
    return id;
  },
};
