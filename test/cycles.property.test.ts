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
  type RefDeal,
  type RefFilter,
} from './support/referenceFlows.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
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

const graphArb = fc
  .record({
    size: fc.integer({ min: 3, max: 7 }),
    parents: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 7, maxLength: 7 }),
    deals: fc.array(
      fc.record({
        investment: fc.boolean(),
        from: fc.nat(),
        to: fc.nat(),
        amount: fc.constantFrom(...AMOUNTS),
        date: fc.constantFrom(...DATES),
        status: fc.constantFrom(...STATUSES),
        kind: fc.constantFrom(...KINDS),
      }),
      { minLength: 2, maxLength: 22 },
    ),
  })
  .map(({ size, parents, deals }) => {
    const companies: RefCompany[] = Array.from({ length: size }, (_, i) => {
      // A company may belong to an earlier one: about a third have a parent, never a loop.
      const p = parents[i] as number;
      return i > 0 && p < 7 ? { id: `c${i}`, parentId: `c${p % i}` } : { id: `c${i}` };
    });
    const refDeals: RefDeal[] = deals
      .map((d, i) => ({
        id: `d${String(i).padStart(2, '0')}`,
        type: d.investment ? ('INVESTMENT' as const) : ('COMMITMENT' as const),
        from: `c${d.from % size}`,
        to: `c${d.to % size}`,
        amountUsd: d.amount,
        announcedOn: d.date,
        status: d.status,
        kind: d.investment ? null : d.kind,
      }))
      .filter((d) => d.from !== d.to);
    return { companies, deals: refDeals };
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

function dataset(companies: RefCompany[], deals: RefDeal[]) {
  const source = [{ publisher: 'Property test' }];
  return {
    formatVersion: 1,
    companies: companies.map((c) => ({
      id: c.id,
      name: c.id.toUpperCase(),
      ...(c.parentId ? { parentId: c.parentId } : {}),
    })),
    investments: deals
      .filter((d) => d.type === 'INVESTMENT')
      .map((d) => ({
        id: d.id,
        investorId: d.from,
        investeeId: d.to,
        amountUsd: d.amountUsd,
        announcedOn: d.announcedOn,
        status: d.status,
        sources: source,
      })),
    commitments: deals
      .filter((d) => d.type === 'COMMITMENT')
      .map((d) => ({
        id: d.id,
        customerId: d.from,
        providerId: d.to,
        kind: d.kind,
        amountUsd: d.amountUsd,
        announcedOn: d.announcedOn,
        status: d.status,
        sources: source,
      })),
  };
}

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
          await t.load(dataset(graph.companies, graph.deals));
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
