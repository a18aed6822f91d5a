import type { QueryResolvers } from '../generated/graphql.js';
import { pageRequest, toConnection } from '../stores/pagination.js';
import { checkCompanySearch, companyOrder, dealFilter, dealOrder } from './args.js';
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
  async companies(_, { where, orderBy, first, after }, { stores }, info) {
    const page = pageRequest(first, after);
    checkCompanySearch(where);
    const order = companyOrder(orderBy, where);
    const selection = companyConnectionSelection(info);
    const result = selection
      ? await stores.selections.companies(where ?? {}, order, page, selection)
      : await stores.companies.list(where ?? {}, order, page);
    return toConnection(result, page);
  },

  deal: (_, { id }, { loaders }) => loaders.deal.load(id),

  /** The page and, in the same query, what is selected below its deals (selection.ts). */
  async deals(_, { where, orderBy, first, after }, { stores }, info) {
    const page = pageRequest(first, after);
    const filter = dealFilter(where);
    const selection = dealConnectionSelection(info);
    const result = selection
      ? await stores.selections.deals(filter, dealOrder(orderBy), page, selection)
      : await stores.deals.list(filter, dealOrder(orderBy), page);
    return toConnection(result, page);
  },
};
