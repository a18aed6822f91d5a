/**
 * `asOf` on circularDeals, Company.cycles and relationshipGraph: only deals announced on or
 * before the date, a month meaning the whole month (so a deal dated `2025-09` is in as of
 * `2025-09` but not as of `2025-09-15`), undated deals out. Checked against the reference
 * (test/support/referenceFlows.ts) on random graphs, and on a small graph a reader can follow.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceCycles } from './support/referenceFlows.js';
import { importDataset, randomGraph } from './support/randomGraphs.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ cycleLimits: { timeoutMs: 180_000, resultCap: 5_000 } });
});
afterAll(() => t.close());

const SEED = Number(process.env.PROPERTY_SEED ?? 20261203);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const DATES = [null, '2023-05', '2023-11-20', '2024-02', '2024-02-10', '2024-07', '2024-07-20'];
const AS_OF = ['2023-05', '2023-05-20', '2024-02', '2024-02-09', '2024-07-19', '2025-01'];

const CYCLES = `query($where: CycleFilter, $asOf: PartialDate) {
  circularDeals(where: $where, asOf: $asOf, first: 100) {
    edges { node { id key steps { deals { id } } } }
  }
}`;
const COMPANY_CYCLES = `query($id: ID!, $asOf: PartialDate) {
  company(id: $id) { cycles(asOf: $asOf, where: { mix: ANY }, first: 100) { edges { node { key } } } }
}`;

type Edges = {
  edges: { node: { id: string; key: string; steps: { deals: { id: string }[] }[] } }[];
};

describe('asOf on cycles equals the reference with `to` the date', () => {
  it(`on ${RUNS} random graphs (seed ${SEED})`, async () => {
    const graphs = randomGraph({
      size: { min: 3, max: 6 },
      parentDraw: 20,
      parentBelow: 6,
      deals: { min: 2, max: 18 },
      amounts: [null, 1e8, 1e9],
      statuses: ['ANNOUNCED', 'COMPLETED', 'CANCELLED'],
      kinds: ['CLOUD', 'HARDWARE'],
      dates: DATES,
    });
    await fc.assert(
      fc.asyncProperty(graphs, fc.constantFrom(...AS_OF), async (graph, asOf) => {
        await t.load(importDataset(graph.companies, graph.deals));
        for (const where of [{ mix: 'ANY', maxLength: 5 }, {}]) {
          const res = await t.gql<{ circularDeals: Edges }>(CYCLES, { where, asOf });
          expect(res.errors).toBeUndefined();
          const served = res
            .data!.circularDeals.edges.map(({ node }) => ({
              id: node.key,
              steps: node.steps.map((s) => s.deals.map((d) => d.id).sort()),
            }))
            .sort((a, b) => a.id.localeCompare(b.id));
          const expected = referenceCycles(graph.companies, graph.deals, {
            ...(where as { mix?: 'ANY'; maxLength?: number }),
            to: asOf,
          }).map((c) => ({ id: c.id, steps: c.stepDealIds }));
          expect(served, `${asOf} ${JSON.stringify(where)}`).toEqual(expected);
          // The same as the `to` bound, ids included (one filter, one cache identity).
          const viaTo = await t.gql<{ circularDeals: Edges }>(CYCLES, {
            where: { ...where, deals: { to: asOf } },
          });
          expect(viaTo.data!.circularDeals.edges.map((e) => e.node.id)).toEqual(
            res.data!.circularDeals.edges.map((e) => e.node.id),
          );
        }
        const through = await t.gql<{
          company: { cycles: { edges: { node: { key: string } }[] } };
        }>(COMPANY_CYCLES, { id: 'c1', asOf });
        expect(through.errors).toBeUndefined();
        const keys = through.data!.company.cycles.edges.map((e) => e.node.key).sort();
        expect(keys).toEqual(
          referenceCycles(graph.companies, graph.deals, {
            mix: 'ANY',
            through: ['c1'],
            to: asOf,
          }).map((c) => c.id),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  }, 600_000);
});

const sources = [{ publisher: 'Test' }];
// a -> b in 2024-03 (month only), b -> a on 2024-05-10, b -> c on 2024-06-01, c -> a undated.
const SMALL = {
  formatVersion: 1,
  companies: ['a', 'b', 'c'].map((id) => ({ id, name: id.toUpperCase() })),
  investments: [
    {
      id: 'ab',
      investorId: 'a',
      investeeId: 'b',
      amountUsd: 1e9,
      announcedOn: '2024-03',
      status: 'COMPLETED',
      sources,
    },
    {
      id: 'ca',
      investorId: 'c',
      investeeId: 'a',
      amountUsd: 1e9,
      announcedOn: null,
      status: 'COMPLETED',
      sources,
    },
  ],
  commitments: [
    {
      id: 'ba',
      customerId: 'b',
      providerId: 'a',
      kind: 'CLOUD',
      amountUsd: 2e9,
      announcedOn: '2024-05-10',
      status: 'ANNOUNCED',
      sources,
    },
    {
      id: 'bc',
      customerId: 'b',
      providerId: 'c',
      kind: 'CLOUD',
      amountUsd: 2e9,
      announcedOn: '2024-06-01',
      status: 'ANNOUNCED',
      sources,
    },
  ],
};

const GRAPH = `query($asOf: PartialDate, $where: DealFilter) {
  relationshipGraph(companyIds: ["a"], depth: 2, asOf: $asOf, where: $where) {
    nodes { companyId } edges { id } cycles(mix: ANY) { key }
  }
}`;

describe('asOf on a small graph', () => {
  beforeAll(() => t.load(SMALL));

  it('a cycle appears once its last deal is announced', async () => {
    const keys = async (asOf: string) =>
      (
        await t.gql<{ circularDeals: Edges }>(CYCLES, { asOf, where: { mix: 'ANY' } })
      ).data!.circularDeals.edges.map((e) => e.node.key);
    expect(await keys('2024-05-15')).toEqual(['a>b']);
    expect(await keys('2024-05-09')).toEqual([]);
    expect(await keys('2024-05-10')).toEqual(['a>b']);
  });

  it('relationshipGraph keeps the deals, nodes and cycles of the date', async () => {
    const at = async (asOf: string | null, where: Record<string, unknown> | null = null) => {
      const res = await t.gql<{
        relationshipGraph: {
          nodes: { companyId: string }[];
          edges: { id: string }[];
          cycles: { key: string }[];
        };
      }>(GRAPH, { asOf, where });
      expect(res.errors).toBeUndefined();
      const g = res.data!.relationshipGraph;
      return {
        nodes: g.nodes.map((n) => n.companyId),
        edges: g.edges.map((e) => e.id),
        cycles: g.cycles.map((c) => c.key),
      };
    };
    expect(await at('2024-04')).toEqual({ nodes: ['a', 'b'], edges: ['a->b:ab'], cycles: [] });
    // A month is the whole month: the deal of 2024-03 is in as of 2024-03, not as of 2024-03-15.
    expect((await at('2024-03')).edges).toEqual(['a->b:ab']);
    expect((await at('2024-03-15')).edges).toEqual([]);
    expect(await at('2024-06')).toEqual({
      nodes: ['a', 'b', 'c'],
      edges: ['a->b:ab', 'b->a:ba', 'b->c:bc'],
      cycles: ['a>b'],
    });
    // Undated deals drop out with asOf (c -> a is drawn without it).
    expect((await at(null)).edges).toContain('c->a:ca');
    // The earlier of announcedTo and asOf applies.
    expect(await at('2024-06', { announcedTo: '2024-04-30' })).toEqual(await at('2024-04'));
  });

  it('refuses an asOf before the window opens, naming asOf', async () => {
    const res = await t.gql(CYCLES, { asOf: '2024-01', where: { deals: { from: '2024-02' } } });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.errors?.[0]?.extensions)).toContain('asOf');
  });
});
