import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import type {
  CompanyResolvers,
  DealCycleResolvers,
  FlowStepResolvers,
  MoneyPathResolvers,
  QueryResolvers,
} from '../generated/graphql.js';
import { pageRequest, toConnection } from '../stores/pagination.js';
import type { CompanyRow, DealRow } from '../stores/rows.js';
import type { CycleQuery, FlowFilter } from '../stores/cycleStore.js';
import { cycleQuery, defaultFlowFilter, pathQuery } from './flowArgs.js';
import { selectsOnly } from './selection.js';
import { dependencySuffix, suffixOf, tagRows } from './identity.js';

/**
 * What a cycle's or path's values (steps, figures, `timeRespecting`) depend on: the effective deal
 * filter and the time condition. Which cycles are listed (through, lengths, mix, order) is not.
 */
function flowSuffix(query: {
  filter: FlowFilter;
  timeRespecting: boolean;
  maxSpanDays: number | null;
}): string {
  const { filter, timeRespecting, maxSpanDays } = query;
  return dependencySuffix(
    { filter, timeRespecting, maxSpanDays },
    { filter: defaultFlowFilter(), timeRespecting: false, maxSpanDays: null },
  );
}

/** Pages through rows the store computed as a whole (cycles are found, evaluated, then sorted). */
function page<T>(rows: T[], first: number | null | undefined, after: string | null | undefined) {
  const request = pageRequest(first, after);
  return toConnection(
    { rows: rows.slice(request.offset, request.offset + request.limit), totalCount: rows.length },
    request,
  );
}

/**
 * The client selected nothing but `totalCount` (and `__typename`), directly or through fragments
 * (Relay always uses them): the cycles can be counted in Neo4j without being returned, which also
 * works far past the result cap.
 */
function countOnly(info: GraphQLResolveInfo): boolean {
  return selectsOnly(info, ['totalCount', '__typename']);
}

/** Cycles as a connection: counted when only the total is asked for, else found and paged. */
async function cycleConnection(
  stores: Context['stores'],
  query: CycleQuery,
  args: { first?: number | null; after?: string | null },
  info: GraphQLResolveInfo,
) {
  if (countOnly(info) && !query.timeRespecting) {
    const request = pageRequest(args.first, args.after);
    return toConnection({ rows: [], totalCount: await stores.cycles.countCycles(query) }, request);
  }
  const rows = await stores.cycles.cycles(query);
  tagRows(rows, flowSuffix(query));
  return page(rows, args.first, args.after);
}

async function companies(ids: string[], { loaders }: Context): Promise<CompanyRow[]> {
  const rows = await loaders.company.loadMany(ids);
  return rows.map((row, i) => {
    if (!row || row instanceof Error)
      throw row ?? new Error(`flow references missing company '${ids[i]}'`);
    return row;
  });
}

export const FlowQuery: Pick<QueryResolvers, 'circularDeals' | 'moneyPaths'> = {
  async circularDeals(_, { where, orderBy, first, after }, { stores }, info) {
    pageRequest(first, after); // reject a bad page before running the search
    const query = await cycleQuery(stores, where, orderBy);
    return cycleConnection(stores, query, { first, after }, info);
  },
  async moneyPaths(_, args, { stores }) {
    pageRequest(args.first, args.after);
    const query = await pathQuery(stores, args);
    const rows = await stores.cycles.paths(query);
    tagRows(rows, flowSuffix(query));
    return page(rows, args.first, args.after);
  },
};

export const CompanyCycles: Pick<CompanyResolvers, 'cycles'> = {
  async cycles(company, { where, orderBy, first, after }, { stores }, info) {
    pageRequest(first, after);
    const query = await cycleQuery(stores, where, orderBy, [company.id]);
    return cycleConnection(stores, query, { first, after }, info);
  },
};

export const DealCycle: DealCycleResolvers = {
  id: (cycle) => cycle.id + suffixOf(cycle),
  key: (cycle) => cycle.id,
  length: (cycle) => cycle.companyIds.length,
  companies: (cycle, _, ctx) => companies(cycle.companyIds, ctx),
};

export const MoneyPath: MoneyPathResolvers = {
  id: (path) => `path:${path.id}${suffixOf(path)}`,
  key: (path) => path.id,
  length: (path) => path.steps.length,
  companies: (path, _, ctx) => companies(path.companyIds, ctx),
};

export const FlowStep: FlowStepResolvers = {
  from: async (s, _, ctx) => (await companies([s.fromId], ctx))[0] as CompanyRow,
  to: async (s, _, ctx) => (await companies([s.toId], ctx))[0] as CompanyRow,
  async deals(s, _, { loaders }) {
    const rows = await loaders.deal.loadMany(s.deals.map((d) => d.id));
    // A deal deleted between the search and this read drops out of the step.
    return rows.filter((r): r is DealRow => r !== null && !(r instanceof Error));
  },
};
