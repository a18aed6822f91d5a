import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import type { QueryResolvers } from '../generated/graphql.js';
import { listBinding, pageRequest, toConnection } from '../stores/pagination.js';
import { checkCompanySearch, companyOrder, dealFilter, dealOrder } from './args.js';
import { FlowQuery } from './Flows.js';
import { whereAsOf } from './flowArgs.js';
import {
  companyConnectionSelection,
  companyFieldSelection,
  dealConnectionSelection,
} from './selection.js';

export const Query: QueryResolvers = {
  /** With anything below the company's own fields selected, it is read ahead (selection.ts). */
  company(_, { id }, { loaders }, info) {
    const selection = companyFieldSelection(info);
    return selection ? loaders.companySelected(id, selection) : loaders.company.load(id);
  },

  /** The page and, in the same query, what is selected below its companies (selection.ts). */
  async companies(_, { where, orderBy, ...paging }, { stores }, info) {
    checkCompanySearch(where);
    const order = companyOrder(orderBy, where);
    const page = pageRequest(paging, listBinding('Query.companies', { where, order }));
    const selection = companyConnectionSelection(info);
    const result =
      (selection && (await stores.selections.companies(where ?? {}, order, page, selection))) ??
      (await stores.companies.list(where ?? {}, order, page));
    return toConnection(result, page);
  },

  deal: (_, { id }, { loaders }) => loaders.deal.load(id),

  /** The page and, in the same query, what is selected below its deals (selection.ts). */
  async deals(_, { where, orderBy, ...paging }, { stores }, info) {
    const filter = dealFilter(where);
    const page = pageRequest(
      paging,
      listBinding('Query.deals', { filter, order: dealOrder(orderBy) }),
    );
    const selection = dealConnectionSelection(info);
    const result =
      (selection && (await stores.selections.deals(filter, dealOrder(orderBy), page, selection))) ??
      (await stores.deals.list(filter, dealOrder(orderBy), page));
    return toConnection(result, page);
  },
};

/** The function of a resolver given either as a function or as `{ resolve }`. */
export function resolverFn<P, A, R>(
  resolver:
    | ((parent: P, args: A, ctx: Context, info: GraphQLResolveInfo) => R)
    | { resolve: (parent: P, args: A, ctx: Context, info: GraphQLResolveInfo) => R }
    | undefined,
): (parent: P, args: A, ctx: Context, info: GraphQLResolveInfo) => R {
  if (!resolver) throw new Error('resolver missing');
  return typeof resolver === 'function' ? resolver : resolver.resolve;
}

/**
 * `circularDeals(asOf)`: the date folds into `where.deals.to` (flowArgs.ts whereAsOf), so the
 * cycle search, its ids and its cursors are those of the equivalent `to` bound.
 */
export const AsOfQuery: Pick<QueryResolvers, 'circularDeals'> = {
  circularDeals: (parent, { asOf, ...args }, ctx, info) =>
    resolverFn(FlowQuery.circularDeals)(
      parent,
      { ...args, where: whereAsOf(args.where, asOf) },
      ctx,
      info,
    ),
};
