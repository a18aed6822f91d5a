import type { Context } from '../context.js';
import { checkCompany, checkDeal, type Checked } from '../domain/validate.js';
import { ErrorCode, UserError, badInput, notFound } from '../errors.js';
import type { MutationResolvers } from '../generated/graphql.js';
import type { CompanyRow, DealRow } from '../stores/rows.js';

/** Writes need the server's ADMIN_TOKEN as a bearer token. */
export function requireAdmin({ caller }: Context): void {
  if (!caller.writesEnabled) {
    throw new UserError(
      ErrorCode.MUTATIONS_DISABLED,
      'Writes are disabled on this server. Start it with ADMIN_TOKEN set (16+ characters) and send `Authorization: Bearer <ADMIN_TOKEN>`.',
    );
  }
  if (!caller.isAdmin) {
    throw new UserError(
      ErrorCode.UNAUTHENTICATED,
      caller.presentedToken
        ? "The bearer token is not this server's ADMIN_TOKEN."
        : 'This mutation needs `Authorization: Bearer <ADMIN_TOKEN>`.',
    );
  }
}

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
    requireAdmin(ctx);
    const company = valid(checkCompany(input));
    await ctx.stores.companies.upsert(company);
    return reload(ctx.stores.companies.byIds([company.id]), 'company', company.id);
  },

  async recordInvestment(_, { input }, ctx) {
    requireAdmin(ctx);
    const deal = valid(checkDeal('INVESTMENT', input));
    await ctx.stores.deals.record(deal);
    return reload(ctx.stores.deals.byIds([deal.id]), 'deal', deal.id);
  },

  async recordCommitment(_, { input }, ctx) {
    requireAdmin(ctx);
    const deal = valid(checkDeal('COMMITMENT', input));
    await ctx.stores.deals.record(deal);
    return reload(ctx.stores.deals.byIds([deal.id]), 'deal', deal.id);
  },

  async deleteDeal(_, { id }, ctx) {
    requireAdmin(ctx);
    if (!(await ctx.stores.deals.delete(id))) throw notFound('deal', id);
    return id;
  },
};
