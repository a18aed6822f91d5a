/**
 * Property test: on seeded random deal graphs dense enough to hold cycles of every length up to
 * 7 (subsidiaries, parallel deals, unknown amounts, cancelled deals), the cycles counted in Neo4j
 * (`circularDeals { totalCount }` alone, and the store's count split into 1 or 3 concurrent
 * parts) equal the number the naive reference in test/support/referenceFlows.ts lists, with and
 * without deal filters, for both mixes, through one company and through two.
 *
 * Lengths up to 5 are counted as products of half counts less the walks that meet themselves
 * (src/stores/cycleCounts.ts): a graph with many short cycles between the same few companies is
 * where those corrections matter, which is why the graphs are small and dense.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceCycles, type RefFilter } from './support/referenceFlows.js';
import { importDataset, randomGraph } from './support/randomGraphs.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { countCycles } from '../src/stores/cycleCounts.js';
import { NO_FLOW_FILTER } from '../src/stores/cycleStore.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3);

const AMOUNTS = [null, 1e8, 1e9, 4e9];
const STATUSES = ['ANNOUNCED', 'COMPLETED', 'CANCELLED'];
const KINDS = ['CLOUD', 'HARDWARE'];

// About one company in ten belongs to an earlier one.
const graphArb = randomGraph({
  size: { min: 5, max: 8 },
  parentDraw: 30,
  parentBelow: 3,
  deals: { min: 14, max: 40 },
  amounts: AMOUNTS,
  statuses: STATUSES,
  kinds: KINDS,
  dates: ['2025-03-15'],
});

/** Deal filters, each with either mix; `through` is added per graph. */
const FILTERS: RefFilter[] = [
  {},
  { minAmountUsd: 1e9 },
  { minAmountUsd: 1e9, includeUnknownAmounts: true },
  { statuses: ['ANNOUNCED', 'CANCELLED'] },
  { types: ['INVESTMENT'] },
  { commitmentKinds: ['CLOUD'] },
];

function where(f: RefFilter): Record<string, unknown> {
  const deals: Record<string, unknown> = {};
  for (const key of [
    'minAmountUsd',
    'includeUnknownAmounts',
    'statuses',
    'commitmentKinds',
    'types',
  ] as const)
    if (f[key] !== undefined) deals[key] = f[key];
  const w: Record<string, unknown> = { deals };
  for (const key of ['through', 'minLength', 'maxLength', 'mix'] as const)
    if (f[key] !== undefined) w[key] = f[key];
  return w;
}

const COUNT = `query($where: CycleFilter) { circularDeals(where: $where) { totalCount } }`;

async function served(filter: RefFilter): Promise<number> {
  const res = await t.gql<{ circularDeals: { totalCount: number } }>(COUNT, {
    where: where(filter),
  });
  expect(res.errors, JSON.stringify(filter)).toBeUndefined();
  return res.data!.circularDeals.totalCount;
}

describe('cycle counts equal the reference', () => {
  // Long: each statement (kind, deal types, length) is planned once, seconds each on a busy
  // 2-core machine.
  it(`on ${RUNS} dense random graphs, lengths 2..7, filters and mixes (seed ${SEED})`, async () => {
    let nonZero = 0;
    await fc.assert(
      fc.asyncProperty(graphArb, async (graph) => {
        await t.load(importDataset(graph.companies, graph.deals));
        const last = graph.companies.at(-1)?.id as string;
        const filters: RefFilter[] = [
          { mix: 'ANY', maxLength: 7 },
          { mix: 'ANY', minLength: 4, maxLength: 5 },
          ...FILTERS.flatMap((f) => [
            { ...f, maxLength: 5 },
            { ...f, mix: 'ANY' as const, maxLength: 5 },
          ]),
          // A subsidiary stands for its parent.
          { mix: 'ANY', maxLength: 5, through: ['c0'] },
          { maxLength: 4, through: [last] },
          { mix: 'ANY', maxLength: 5, through: ['c1', 'c0'] },
          { mix: 'ANY', maxLength: 5, through: [last, 'c2'] },
        ];
        for (const filter of filters) {
          const expected = referenceCycles(graph.companies, graph.deals, filter).length;
          if (expected > 0) nonZero += 1;
          expect(await served(filter), JSON.stringify(filter)).toBe(expected);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The graphs are dense enough that most counts have something to count.
    expect(nonZero).toBeGreaterThan(RUNS * 5);
  }, 1_500_000);

  it('splitting the start companies into parts changes no count', async () => {
    // Every cycle of the complete graph on 6 companies: sum over k of C(6, k) (k - 1)!.
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const sources = [{ publisher: 'Test' }];
    await t.load({
      formatVersion: 1,
      companies: ids.map((id) => ({ id, name: id })),
      investments: ids.flatMap((from) =>
        ids
          .filter((to) => to !== from)
          .map((to) => ({
            id: `i-${from}-${to}`,
            investorId: from,
            investeeId: to,
            amountUsd: 1e9,
            status: 'ANNOUNCED',
            sources,
          })),
      ),
      commitments: [],
    });
    const expected = 15 + 40 + 90 + 144 + 120; // lengths 2..6
    const params = { ...NO_FLOW_FILTER, unfiltered: true, start: null, through: [], among: null };
    for (const parts of [1, 2, 3, 7]) {
      const n = await countCycles(
        t.db,
        { kind: 'all', params, minLength: 2, maxLength: 6, mix: 'ANY' },
        { timeoutMs: 20_000, parts },
      );
      expect(n, `${parts} parts`).toBe(expected);
    }
  }, 120_000);
});
