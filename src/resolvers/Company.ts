import type { GraphQLResolveInfo } from 'graphql';
import type { CompanyResolvers, DealFilter } from '../generated/graphql.js';
import type { Context } from '../context.js';
import type { DealSide } from '../stores/dealStore.js';
import { toConnection, type PageArgs } from '../stores/pagination.js';
import { isPartialRow } from '../stores/selectionStore.js';
import type { CompanyRow, CompanyTotalsRow, DealRow, DealType, Page } from '../stores/rows.js';
import { dealListArgs } from './args.js';
import { CompanyCycles } from './Flows.js';
import { whereAsOf } from './flowArgs.js';
import { resolverFn } from './Query.js';
import { readAhead } from './selection.js';

interface ConnectionArgs extends PageArgs {
  where?: DealFilter | null;
}

/** One of a company's four deal connections: its deals of one type, on one side. */
async function dealConnection(
  company: CompanyRow,
  type: DealType,
  side: DealSide,
  args: ConnectionArgs,
  { loaders }: Context,
  info: GraphQLResolveInfo,
) {
  const { page, load } = dealListArgs(type, side, args);
  if (!load) return toConnection({ rows: [], totalCount: 0 }, page);
  const ahead = readAhead<Page<DealRow>>(company, info);
  if (ahead) return toConnection(ahead.value, page);
  // The listing company is one side of every deal in the page: its fields need no query (unless
  // it is a row read for a selection, which carries only the fields selected there).
  if (!isPartialRow(company)) loaders.company.prime(company.id, company);
  return toConnection(await loaders.dealPage(company.id, load), page);
}

export const Company: CompanyResolvers = {
  parent: (company, _, { loaders }, info) => {
    const ahead = readAhead<CompanyRow | null>(company, info);
    if (ahead) return ahead.value;
    return company.parentId ? loaders.company.load(company.parentId) : null;
  },
  subsidiaries: (company, _, { loaders }, info) =>
    readAhead<CompanyRow[]>(company, info)?.value ?? loaders.subsidiaries.load(company.id),
  ultimateParent: async (company, _, { loaders }, info) => {
    const ahead = readAhead<CompanyRow>(company, info);
    if (ahead) return ahead.value;
    return (await loaders.ultimateParent.load(company.id)) ?? company;
  },
  investmentsMade: (company, args, ctx, info) =>
    dealConnection(company, 'INVESTMENT', 'made', args, ctx, info),
  investmentsReceived: (company, args, ctx, info) =>
    dealConnection(company, 'INVESTMENT', 'received', args, ctx, info),
  commitmentsMade: (company, args, ctx, info) =>
    dealConnection(company, 'COMMITMENT', 'made', args, ctx, info),
  commitmentsReceived: (company, args, ctx, info) =>
    dealConnection(company, 'COMMITMENT', 'received', args, ctx, info),
  totals: (company, _, { loaders }, info) =>
    readAhead<CompanyTotalsRow>(company, info)?.value ?? loaders.totals.load(company.id),
};

/** `Company.cycles(asOf)`: the date folds into `where.deals.to`, as for `circularDeals`. */
export const CompanyAsOf: Pick<CompanyResolvers, 'cycles'> = {
  cycles: (company, { asOf, ...args }, ctx, info) =>
    resolverFn(CompanyCycles.cycles)(
      company,
      { ...args, where: whereAsOf(args.where, asOf) },
      ctx,
      info,
    ),
};
