/**
 * Property test: on many seeded random deal graphs (subsidiaries, parallel deals between the same
 * pair, unknown amounts, undated deals), the cycles served over GraphQL equal those of the naive
 * reference implementation in test/support/referenceFlows.ts, for random filters.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  referenceCycles,
  type RefCompany,
  type RefCycle,
  type RefDeal,
  type RefFilter,
} from './support/referenceFlows.js';
import { importDataset, randomGraph } from './support/randomGraphs.js';
import { startTestServer, type GraphQLResponse, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  // What is checked is which cycles come back, not how fast: a time limit far above the default,
  // so that a loaded machine planning the long cycle statements cold does not fail a property.
  t = await startTestServer({ cycleLimits: { timeoutMs: 180_000, resultCap: 5_000 } });
});
afterAll(() => t.close());

const SEED = Number(process.env.PROPERTY_SEED ?? 20261126);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);

// Days are never the 1st, so a month and a day never share a sort key (ties would make
// "first date" ambiguous between two equally valid answers).
const DATES = [
  null,
  '2023-05',
  '2023-11-20',
  '2024-02',
  '2024-02-10',
  '2024-07',
  '2024-07-20',
  '2024-12-24',
  '2025-03-15',
];
const AMOUNTS = [null, 1e8, 5e8, 1e9, 4e9, 2e10];
const STATUSES = ['ANNOUNCED', 'LETTER_OF_INTENT', 'COMPLETED', 'CANCELLED'];
const KINDS = ['CLOUD', 'HARDWARE', 'CAPACITY'];

// About a third of the companies belong to an earlier one.
const graphArb = randomGraph({
  size: { min: 3, max: 7 },
  parentDraw: 20,
  parentBelow: 7,
  deals: { min: 2, max: 22 },
  amounts: AMOUNTS,
  statuses: STATUSES,
  kinds: KINDS,
  dates: DATES,
});

const filterArb: fc.Arbitrary<RefFilter> = fc
  .record(
    {
      maxLength: fc.integer({ min: 2, max: 5 }),
      minLength: fc.constantFrom(2, 3),
      minAmountUsd: fc.constantFrom(5e8, 1e9, 4e9),
      includeUnknownAmounts: fc.boolean(),
      from: fc.constantFrom('2023-11', '2024-02-10'),
      to: fc.constantFrom('2024-07', '2024-07-25', '2024-12-31'),
      statuses: fc.subarray(STATUSES, { minLength: 1 }),
      commitmentKinds: fc.subarray(KINDS, { minLength: 1 }),
      mix: fc.constantFrom('ANY' as const, 'INVESTMENT_AND_COMMITMENT' as const),
      timeRespecting: fc.boolean(),
      maxSpanDays: fc.constantFrom(60, 400),
      through: fc.constantFrom<string[]>(['c1'], ['c2'], ['c0', 'c2']),
    },
    { requiredKeys: [] },
  )
  .filter(
    (f) =>
      (f.minLength ?? 2) <= (f.maxLength ?? 4) &&
      (f.maxSpanDays === undefined || f.timeRespecting === true),
  );

function cycleFilter(f: RefFilter): Record<string, unknown> {
  const deals: Record<string, unknown> = {};
  for (const key of [
    'minAmountUsd',
    'includeUnknownAmounts',
    'from',
    'to',
    'statuses',
    'commitmentKinds',
    'types',
  ] as const) {
    if (f[key] !== undefined) deals[key] = f[key];
  }
  const where: Record<string, unknown> = { deals };
  for (const key of [
    'through',
    'minLength',
    'maxLength',
    'mix',
    'timeRespecting',
    'maxSpanDays',
  ] as const) {
    if (f[key] !== undefined) where[key] = f[key];
  }
  return where;
}

const QUERY = `query($where: CycleFilter) {
  circularDeals(where: $where, first: 100) {
    totalCount
    edges { node {
      id investedUsd committedUsd investedUnknownCount committedUnknownCount
      roundTripRatio roundTripRatioIsLowerBound bottleneckUsd bottleneckIsLowerBound
      firstDate lastDate timeRespecting
      steps { deals { id } }
    } }
  }
}`;

const COUNT_QUERY = `query($where: CycleFilter) { circularDeals(where: $where) { totalCount } }`;

interface Served {
  id: string;
  investedUsd: number;
  committedUsd: number;
  investedUnknownCount: number;
  committedUnknownCount: number;
  roundTripRatio: number | null;
  roundTripRatioIsLowerBound: boolean;
  bottleneckUsd: number | null;
  bottleneckIsLowerBound: boolean;
  firstDate: string | null;
  lastDate: string | null;
  timeRespecting: boolean;
  steps: { deals: { id: string }[] }[];
}

describe('circularDeals equals the reference implementation', () => {
  it(`on ${RUNS} random graphs with random filters (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        graphArb,
        fc.array(filterArb, { minLength: 3, maxLength: 3 }),
        async (graph, filters) => {
          await t.load(importDataset(graph.companies, graph.deals));
          for (const filter of [{ mix: 'ANY' as const, maxLength: 6 }, {}, ...filters]) {
            const res = await t.gql<{
              circularDeals: { totalCount: number; edges: { node: Served }[] };
            }>(QUERY, {
              where: cycleFilter(filter),
            });
            expect(res.errors, JSON.stringify(filter)).toBeUndefined();
            const served = res.data!.circularDeals.edges.map(({ node }) => ({
              id: node.id,
              stepDealIds: node.steps.map((s) => s.deals.map((d) => d.id).sort()),
              investedUsd: node.investedUsd,
              committedUsd: node.committedUsd,
              investedUnknownCount: node.investedUnknownCount,
              committedUnknownCount: node.committedUnknownCount,
              roundTripRatio: node.roundTripRatio,
              roundTripRatioIsLowerBound: node.roundTripRatioIsLowerBound,
              bottleneckUsd: node.bottleneckUsd,
              bottleneckIsLowerBound: node.bottleneckIsLowerBound,
              firstDate: node.firstDate,
              lastDate: node.lastDate,
              timeRespecting: node.timeRespecting,
            }));
            const expected = referenceCycles(graph.companies, graph.deals, filter);
            expect(
              served.sort((a, b) => a.id.localeCompare(b.id)),
              JSON.stringify(filter),
            ).toEqual(expected);
            expect(res.data!.circularDeals.totalCount).toBe(expected.length);
            // Asked for the total alone, the server counts in Neo4j instead of listing.
            const counted = await t.gql<{ circularDeals: { totalCount: number } }>(COUNT_QUERY, {
              where: cycleFilter(filter),
            });
            expect(counted.errors, JSON.stringify(filter)).toBeUndefined();
            expect(counted.data!.circularDeals.totalCount, JSON.stringify(filter)).toBe(
              expected.length,
            );
          }
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 600_000);
});

/**
 * Ranked pages: the server finds a page of a ranking without finding every cycle (cycleStore.ts
 * cyclePage, cycleRanking.ts). Whatever it prunes, the page must be the one that sorting the
 * reference's cycles gives: unknown values last in either direction, ties by cycle id.
 */
const ORDER_FIELDS = [
  'LENGTH',
  'TOTAL_AMOUNT',
  'ROUND_TRIP_RATIO',
  'RECENCY',
  'BOTTLENECK',
] as const;
type OrderField = (typeof ORDER_FIELDS)[number];

const orderArb = fc.record({
  field: fc.constantFrom(...ORDER_FIELDS),
  direction: fc.constantFrom('ASC' as const, 'DESC' as const),
  first: fc.integer({ min: 1, max: 6 }),
});

/** The reference's sort value of a cycle (a month-precision date sorts as its first day). */
function referenceValue(c: RefCycle, field: OrderField): number | string | null {
  switch (field) {
    case 'LENGTH':
      return c.id.split('>').length;
    case 'TOTAL_AMOUNT':
      return c.investedUsd + c.committedUsd;
    case 'ROUND_TRIP_RATIO':
      return c.roundTripRatio;
    case 'RECENCY':
      return c.lastDate === null ? null : c.lastDate.length === 7 ? `${c.lastDate}-01` : c.lastDate;
    case 'BOTTLENECK':
      return c.bottleneckUsd;
  }
}

function referenceOrder(
  cycles: RefCycle[],
  field: OrderField,
  direction: 'ASC' | 'DESC',
): string[] {
  const sign = direction === 'ASC' ? 1 : -1;
  return cycles
    .map((c) => ({ id: c.id, v: referenceValue(c, field) }))
    .sort((a, b) => {
      if (a.v !== b.v) {
        if (a.v === null) return 1;
        if (b.v === null) return -1;
        return (a.v < b.v ? -1 : 1) * sign;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    })
    .map((c) => c.id);
}

interface RankedPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { key: string } }[];
}

const PAGE_QUERY = `query($where: CycleFilter, $orderBy: CycleOrder, $first: Int, $after: String) {
  circularDeals(where: $where, orderBy: $orderBy, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { key } }
  }
}`;

type RankedOrder = { field: OrderField; direction: 'ASC' | 'DESC'; first: number };

/**
 * Reads up to `pages` pages of `circularDeals` in `order` (from the start, then after each page's
 * end cursor) and checks each against the reference enumeration sorted the same way: the same
 * cycles, in the same order, and whether a next page exists.
 */
async function expectRankedPages(
  graph: { companies: RefCompany[]; deals: RefDeal[] },
  filter: RefFilter,
  order: RankedOrder,
  pages: number,
): Promise<void> {
  const expected = referenceOrder(
    referenceCycles(graph.companies, graph.deals, filter),
    order.field,
    order.direction,
  );
  const label = JSON.stringify({ filter, order });
  let after: string | null = null;
  for (let pageNo = 0; pageNo < pages; pageNo++) {
    const res: GraphQLResponse<{ circularDeals: RankedPage }> = await t.gql<{
      circularDeals: RankedPage;
    }>(PAGE_QUERY, {
      where: cycleFilter(filter),
      orderBy: { field: order.field, direction: order.direction },
      first: order.first,
      after,
    });
    expect(res.errors, label).toBeUndefined();
    const { edges, pageInfo } = res.data!.circularDeals;
    const from = pageNo * order.first;
    expect(
      edges.map((e) => e.node.key),
      `${label} page ${pageNo}`,
    ).toEqual(expected.slice(from, from + order.first));
    expect(pageInfo.hasNextPage, `${label} page ${pageNo}`).toBe(
      expected.length > from + order.first,
    );
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
}

describe('ranked pages of circularDeals equal the reference sorted the same way', () => {
  it(`first pages and the page after, every order, on ${RUNS} random graphs (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        graphArb,
        fc.array(fc.tuple(filterArb, orderArb), { minLength: 4, maxLength: 4 }),
        async (graph, cases) => {
          await t.load(importDataset(graph.companies, graph.deals));
          // Long cycles of the whole graph (LENGTH ranks them by their first steps past four),
          // with and without a deal filter, then random filters and orders.
          const all: [RefFilter, RankedOrder][] = [
            [
              { mix: 'ANY', maxLength: 6 },
              { field: 'LENGTH', direction: 'DESC', first: 3 },
            ],
            [
              { maxLength: 6, minAmountUsd: 5e8 },
              { field: 'BOTTLENECK', direction: 'DESC', first: 2 },
            ],
            ...cases,
          ];
          // The first page and the one after it (keyset: the cursor holds the sort key).
          for (const [filter, order] of all) await expectRankedPages(graph, filter, order, 2);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 900_000);
});

/**
 * Through one company the server pairs half walks and prunes them by a threshold page key
 * (cycleStore.ts throughHalves): on denser graphs, where the threshold prunes, every order's
 * first page and the two after it equal the reference.
 */
const denseGraphArb = randomGraph({
  size: { min: 5, max: 9 },
  parentDraw: 20,
  parentBelow: 7,
  deals: { min: 12, max: 40 },
  amounts: AMOUNTS,
  statuses: STATUSES,
  kinds: KINDS,
  dates: DATES,
});

describe('ranked pages through one company equal the reference sorted the same way', () => {
  it(`three pages, every order, on ${RUNS} denser random graphs (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(
        denseGraphArb,
        fc.array(
          fc.tuple(
            fc.record({
              through: fc.constantFrom<string[]>(['c0'], ['c1'], ['c2']),
              maxLength: fc.constantFrom(3, 4, 5),
              mix: fc.constantFrom('ANY' as const, 'INVESTMENT_AND_COMMITMENT' as const),
            }),
            orderArb,
          ),
          { minLength: 3, maxLength: 3 },
        ),
        async (graph, cases) => {
          await t.load(importDataset(graph.companies, graph.deals));
          for (const [filter, order] of cases) await expectRankedPages(graph, filter, order, 3);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 900_000);
});
