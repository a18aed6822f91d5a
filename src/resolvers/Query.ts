import type { QueryResolvers } from '../generated/graphql.js';
import { pageRequest, toConnection } from '../stores/pagination.js';
import { companyOrder, dealFilter, dealOrder } from './args.js';
import { companyConnectionSelection } from './selection.js';

export const Query: QueryResolvers = {
  company: (_, { id }, { loaders }) => loaders.company.load(id),

  /** The page and, in the same query, what is selected below its companies (selection.ts). */
  async companies(_, { where, orderBy, first, after }, { stores }, info) {
    const page = pageRequest(first, after);
    const order = companyOrder(orderBy, where);
    const selection = companyConnectionSelection(info);
    const result = selection
      ? await stores.selections.companies(where ?? {}, order, page, selection)
      : await stores.companies.list(where ?? {}, order, page);
    return toConnection(result, page);
  },

  deal: (_, { id }, { loaders }) => loaders.deal.load(id),

  async deals(_, { where, orderBy, first, after }, { stores }) {
    const page = pageRequest(first, after);
    return toConnection(await stores.deals.list(dealFilter(where), dealOrder(orderBy), page), page);
  },
};
