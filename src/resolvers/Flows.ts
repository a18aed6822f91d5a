import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import type {
  CompanyResolvers,
  DealCycleResolvers,
  FlowStepResolvers,
  MoneyPathResolvers,
  QueryResolvers,
} from '../generated/graphql.js';
import { CYCLE_ORDER, PATH_ORDER } from '../domain/flows.js';
import {
  listBinding,
  pageOf,
  pageRequest,
  toConnection,
  type PageArgs,
  type PageRequest,
  type SortKey,
} from '../stores/pagination.js';
import type { CompanyRow, DealRow } from '../stores/rows.js';
import type { CycleQuery, FlowFilter } from '../stores/cycleStore.js';
import { cycleKey } from '../stores/cycleRanking.js';
import { cycleQuery, defaultFlowFilter, pathQuery } from './flowArgs.js';
import { selectsOnly } from './selection.js';
import { dependencySuffix, suffixOf, tagRows } from './identity.js';

/**
 * What a cycle's or path's values (steps, figures, `timeRespecting`) depend on: the effective deal
 * filter and the time condition. Which cycles are listed (through, lengths, mix, order) is not.
 */
export function flowSuffix(query: {
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

/**
 * Pages through rows the store computed as a whole (cycles are found, evaluated, then sorted by
 * `value` with nulls last, then by id: domain/flows.ts sortBy), by the same keys as the stores'
 * keyset pages: a 0/1 column for unknown values, the value, the id.
 */
function page<T extends { id: string }>(
  rows: T[],
  value: (row: T) => number | string | null,
  direction: 'ASC' | 'DESC',
  request: PageRequest,
) {
  const key = (row: T): SortKey => {
    const v = value(row);
    return v === null ? [1, 0, row.id] : [0, v, row.id];
  };
  return toConnection(pageOf(rows, key, ['ASC', direction, 'ASC'], request), request);
}

/** The page request of a cycle or path connection, bound to the field and its arguments. */
function flowPage(connection: string, args: PageArgs & Record<string, unknown>): PageRequest {
  const { first, after, last, before, ...rest } = args;
  return pageRequest({ first, after, last, before }, listBinding(connection, rest));
}

/**
 * The client selected nothing but `totalCount` (and `__typename`), directly or through fragments
 * (Relay always uses them): the cycles can be counted in Neo4j without being returned, which also
 * works far past the result cap.
 */
function countOnly(info: GraphQLResolveInfo): boolean {
  return selectsOnly(info, ['totalCount', '__typename']);
}

/**
 * Cycles as a connection: counted when only the total is asked for; a page from the start or
 * after a cursor ranked by the store (cyclePage: exact, without finding every cycle; its total
 * counted by the totalCount resolver when selected); otherwise (`last`/`before`, or the total of
 * time-respecting cycles, which only a listing can give) every cycle found, sorted and paged.
 */
async function cycleConnection(
  stores: Context['stores'],
  query: CycleQuery,
  request: PageRequest,
  info: GraphQLResolveInfo,
) {
  if (countOnly(info) && !query.timeRespecting) {
    // Counted by the totalCount resolver (DealCycleConnection.ts), which fails alone.
    return {
      ...toConnection({ rows: [], totalCount: 0 }, request),
      totalCount: null,
      countQuery: query,
    };
  }
  const listAll =
    request.fromEnd ||
    request.before !== null ||
    (query.timeRespecting && !selectsOnly(info, ['edges', 'pageInfo', '__typename']));
  if (!listAll) {
    const { rows, hasNextPage } = await stores.cycles.cyclePage(
      query,
      request.after,
      request.limit,
    );
    tagRows(rows, flowSuffix(query));
    const keys = rows.map((row) => cycleKey(row, query.order.field));
    const connection = toConnection(
      { rows, keys, totalCount: 0, before: request.after ? 1 : 0 },
      request,
    );
    // A first page that holds every cycle knows the total; otherwise it is counted if selected.
    const total = !hasNextPage && !request.after ? rows.length : null;
    return {
      ...connection,
      pageInfo: { ...connection.pageInfo, hasNextPage },
      totalCount: total,
      countQuery: query,
    };
  }
  const rows = await stores.cycles.cycles(query);
  tagRows(rows, flowSuffix(query));
  return page(rows, CYCLE_ORDER[query.order.field], query.order.direction, request);
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
  async circularDeals(_, args, { stores }, info) {
    const request = flowPage('Query.circularDeals', args); // a bad page fails before the search
    const query = await cycleQuery(stores, args.where, args.orderBy);
    return cycleConnection(stores, query, request, info);
  },
  async moneyPaths(_, args, { stores }) {
    const request = flowPage('Query.moneyPaths', args);
    const query = await pathQuery(stores, args);
    const rows = await stores.cycles.paths(query);
    tagRows(rows, flowSuffix(query));
    return page(rows, PATH_ORDER[query.order.field], query.order.direction, request);
  },
};

export const CompanyCycles: Pick<CompanyResolvers, 'cycles'> = {
  async cycles(company, args, { stores }, info) {
    const request = flowPage('Company.cycles', { ...args, company: company.id });
    const query = await cycleQuery(stores, args.where, args.orderBy, [company.id]);
    return cycleConnection(stores, query, request, info);
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
