import type { CompanyResolvers, DealFilter } from '../generated/graphql.js';
import type { Context } from '../context.js';
import type { DealSide } from '../stores/dealStore.js';
import { pageRequest, toConnection } from '../stores/pagination.js';
import type { CompanyRow, DealType } from '../stores/rows.js';
import { dealFilter } from './args.js';

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  where?: DealFilter | null;
}

/** One of a company's four deal connections: its deals of one type, on one side. */
async function dealConnection(
  company: CompanyRow,
  type: DealType,
  side: DealSide,
  args: ConnectionArgs,
  { loaders }: Context,
) {
  const page = pageRequest(args.first, args.after);
  const filter = dealFilter(args.where);
  if (filter.types && filter.types.length > 0 && !filter.types.includes(type)) {
    return toConnection({ rows: [], totalCount: 0 }, page);
  }
  // The listing company is one side of every deal in the page: its fields need no query.
  loaders.company.prime(company.id, company);
  const result = await loaders.dealPage(company.id, {
    side,
    filter: { ...filter, types: [type] },
    order: 'ANNOUNCED_ON_DESC',
    page,
  });
  return toConnection(result, page);
}

export const Company: CompanyResolvers = {
  parent: (company, _, { loaders }) =>
    company.parentId ? loaders.company.load(company.parentId) : null,
  subsidiaries: (company, _, { loaders }) => loaders.subsidiaries.load(company.id),
  ultimateParent: async (company, _, { loaders }) =>
    (await loaders.ultimateParent.load(company.id)) ?? company,
  investmentsMade: (company, args, ctx) => dealConnection(company, 'INVESTMENT', 'made', args, ctx),
  investmentsReceived: (company, args, ctx) =>
    dealConnection(company, 'INVESTMENT', 'received', args, ctx),
  commitmentsMade: (company, args, ctx) => dealConnection(company, 'COMMITMENT', 'made', args, ctx),
  commitmentsReceived: (company, args, ctx) =>
    dealConnection(company, 'COMMITMENT', 'received', args, ctx),
  totals: (company, _, { loaders }) => loaders.totals.load(company.id),
};
