import type { QueryResolvers } from '../generated/graphql.js';
import { pageRequest, toConnection } from '../stores/pagination.js';
import { companyOrder, dealFilter, dealOrder } from './args.js';

export const Query: QueryResolvers = {
  company: (_, { id }, { loaders }) => loaders.company.load(id),

  async companies(_, { where, orderBy, first, after }, { stores }) {
    const page = pageRequest(first, after);
    const order = companyOrder(orderBy, where);
    return toConnection(await stores.companies.list(where ?? {}, order, page), page);
  },

  deal: (_, { id }, { loaders }) => loaders.deal.load(id),

  async deals(_, { where, orderBy, first, after }, { stores }) {
    const page = pageRequest(first, after);
    return toConnection(await stores.deals.list(dealFilter(where), dealOrder(orderBy), page), page);
  },
};
