/**
 * Deal statuses and instruments added for the 2025-2026 data (TALKS, LICENSE), and the rule that a
 * CANCELLED deal backs no cycle, count, money path or drawn cycle unless the filter's `statuses`
 * names CANCELLED.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../src/importer/importDataset.js';
import { commitment, company, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;

/**
 * A cycle's or path's companies from its id: ids of filtered queries may carry the filter
 * (`amazon>openai@<hash>`) and those of paths and drawn cycles a prefix (`path:`, `graph:`).
 */
const companiesOf = (id: string): string => id.replace(/^(path|graph):/, '').split('@')[0]!;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('TALKS and LICENSE', () => {
  beforeEach(() => t.load(dataset({ companies: [company('nvidia', 'Nvidia')] })));

  it('are accepted by the mutations, stored and filtered on', async () => {
    const recorded = await t.gql<{ a: { status: string; instrument: string } }>(`mutation {
      upsertCompany(input: { id: "groq", name: "Groq" }) { id }
      upsertCompany2: upsertCompany(input: { id: "poolside", name: "Poolside" }) { id }
      a: recordInvestment(input: {
        id: "nvidia-groq-2025-12", investorId: "nvidia", investeeId: "groq", amountUsd: 2e10,
        status: ANNOUNCED, instrument: LICENSE, sources: [{ publisher: "CNBC" }]
      }) { status instrument }
      b: recordInvestment(input: {
        id: "nvidia-poolside-2025-10", investorId: "nvidia", investeeId: "poolside",
        status: TALKS, sources: [{ publisher: "Bloomberg" }]
      }) { status }
    }`);
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data!.a).toEqual({ status: 'ANNOUNCED', instrument: 'LICENSE' });

    const talks = await t.gql<{ deals: { edges: { node: { id: string; status: string } }[] } }>(
      `{ deals(where: { statuses: [TALKS] }) { edges { node { id status } } } }`,
    );
    expect(talks.errors).toBeUndefined();
    expect(talks.data!.deals.edges.map((e) => e.node)).toEqual([
      { id: 'nvidia-poolside-2025-10', status: 'TALKS' },
    ]);
  });

  it('are accepted by the bulk import; an unknown status or instrument is not', async () => {
    const report = await importDataset(
      t.stores,
      dataset({
        companies: [company('groq', 'Groq')],
        investments: [
          investment('nvidia-groq-2025-12', 'nvidia', 'groq', { instrument: 'LICENSE' }),
          investment('nvidia-groq-2026-01', 'nvidia', 'groq', { status: 'TALKS' }),
          investment('nvidia-groq-2026-02', 'nvidia', 'groq', { status: 'RUMOURED' }),
          investment('nvidia-groq-2026-03', 'nvidia', 'groq', { instrument: 'ROYALTY' }),
        ],
      }),
    );
    expect(report.accepted.investments).toBe(2);
    expect(report.rejections.map((r) => [r.id, r.problems.map((p) => p.field)])).toEqual([
      ['nvidia-groq-2026-02', ['investments[2].status']],
      ['nvidia-groq-2026-03', ['investments[3].instrument']],
    ]);
  });
});

/**
 * Three loops, each closed only by way of cancelled deals:
 *   amazon -> openai (investment, COMPLETED), openai -> amazon (cloud, CANCELLED);
 *   poolside -> coreweave (cloud, CANCELLED), coreweave -> poolside (capacity lease, CANCELLED);
 *   meta -> amd (hardware, live) and amd -> meta (hardware, live), with amd -> meta's only
 *   investment (a warrant) CANCELLED: a loop of commitments alone.
 * And one step backed by a cancelled and a live deal: nvidia -> oracle (investment, COMPLETED),
 * oracle -> nvidia (hardware CANCELLED, and hardware ANNOUNCED).
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('amazon-web-services', 'AWS', { parentId: 'amazon' }),
    company('openai', 'OpenAI'),
    company('poolside', 'Poolside'),
    company('coreweave', 'CoreWeave'),
    company('meta', 'Meta'),
    company('amd', 'AMD'),
    company('nvidia', 'Nvidia'),
    company('oracle', 'Oracle'),
  ],
  investments: [
    investment('amazon-openai-2026-02', 'amazon', 'openai', { status: 'COMPLETED' }),
    investment('amd-meta-2026-02', 'amd', 'meta', { status: 'CANCELLED', instrument: 'WARRANT' }),
    investment('nvidia-oracle-2025-01', 'nvidia', 'oracle', { status: 'COMPLETED' }),
  ],
  commitments: [
    commitment('openai-aws-2026-02', 'openai', 'amazon-web-services', { status: 'CANCELLED' }),
    commitment('poolside-coreweave-2025-10', 'poolside', 'coreweave', { status: 'CANCELLED' }),
    commitment('coreweave-poolside-2025-10', 'coreweave', 'poolside', {
      kind: 'CAPACITY',
      status: 'CANCELLED',
    }),
    commitment('meta-amd-2026-02', 'meta', 'amd', { kind: 'HARDWARE' }),
    commitment('amd-meta-2026-03', 'amd', 'meta', { kind: 'HARDWARE' }),
    commitment('oracle-nvidia-2025-05', 'oracle', 'nvidia', {
      kind: 'HARDWARE',
      status: 'CANCELLED',
      amountUsd: 4e10,
    }),
    commitment('oracle-nvidia-2025-06', 'oracle', 'nvidia', { kind: 'HARDWARE', amountUsd: 1e9 }),
  ],
});

interface Cycle {
  id: string;
  committedUsd: number;
  steps: { deals: { id: string }[] }[];
}

async function cycles(where: Record<string, unknown>): Promise<string[]> {
  const res = await t.gql<{ circularDeals: { edges: { node: Cycle }[] } }>(
    `query($where: CycleFilter) { circularDeals(where: $where, first: 100) { edges { node { id } } } }`,
    { where },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.circularDeals.edges.map((e) => companiesOf(e.node.id)).sort();
}

async function count(where: Record<string, unknown>): Promise<number> {
  const res = await t.gql<{ circularDeals: { totalCount: number } }>(
    `query($where: CycleFilter) { circularDeals(where: $where) { totalCount } }`,
    { where },
  );
  expect(res.errors).toBeUndefined();
  return res.data!.circularDeals.totalCount;
}

const ALL_STATUSES = [
  'TALKS',
  'ANNOUNCED',
  'LETTER_OF_INTENT',
  'DEFINITIVE_AGREEMENT',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
];

describe('cancelled deals in cycles and paths', () => {
  beforeAll(() => t.load(GRAPH));

  it('close no circle by default, listed or counted', async () => {
    expect(await cycles({})).toEqual(['nvidia>oracle']);
    expect(await count({})).toBe(1);
    // Even with any mix: amd <-> meta is there by its two live commitments.
    expect(await cycles({ mix: 'ANY' })).toEqual(['amd>meta', 'nvidia>oracle']);
    expect(await count({ mix: 'ANY' })).toBe(2);
  });

  it('close circles when the filter names CANCELLED', async () => {
    expect(await cycles({ mix: 'ANY', deals: { statuses: ['CANCELLED'] } })).toEqual([
      'coreweave>poolside',
    ]);
    expect(await count({ mix: 'ANY', deals: { statuses: ['CANCELLED'] } })).toBe(1);
    const all = ['amazon>openai', 'amd>meta', 'nvidia>oracle'];
    expect(await cycles({ deals: { statuses: ALL_STATUSES } })).toEqual(all);
    expect(await count({ deals: { statuses: ALL_STATUSES } })).toBe(all.length);
    expect(await cycles({ deals: { statuses: ['COMPLETED', 'CANCELLED'] } })).toEqual([
      'amazon>openai',
      'nvidia>oracle',
    ]);
  });

  it('are left out of a step that live deals back, with their amounts', async () => {
    const res = await t.gql<{ circularDeals: { edges: { node: Cycle }[] } }>(`{
      circularDeals(where: { through: ["oracle"] }) {
        edges { node { id committedUsd steps { deals { id } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.circularDeals.edges.map((e) => e.node)).toEqual([
      {
        id: 'nvidia>oracle',
        committedUsd: 1e9,
        steps: [
          { deals: [{ id: 'nvidia-oracle-2025-01' }] },
          { deals: [{ id: 'oracle-nvidia-2025-06' }] },
        ],
      },
    ]);
  });

  it('are no step of a money path by default', async () => {
    const paths = async (where?: Record<string, unknown>): Promise<string[]> => {
      const res = await t.gql<{ moneyPaths: { edges: { node: { id: string } }[] } }>(
        `query($where: MoneyPathFilter) {
          moneyPaths(from: "openai", to: "amazon-web-services", where: $where) { edges { node { id } } }
        }`,
        { where },
      );
      expect(res.errors).toBeUndefined();
      return res.data!.moneyPaths.edges.map((e) => companiesOf(e.node.id));
    };
    expect(await paths()).toEqual([]);
    expect(await paths({ deals: { statuses: ['CANCELLED'] } })).toEqual(['openai>amazon']);
  });

  it('close no cycle of a relationship graph unless its where names CANCELLED', async () => {
    const drawn = async (where?: Record<string, unknown>) => {
      const res = await t.gql<{
        relationshipGraph: { edges: { dealIds: string[] }[]; cycles: { id: string }[] };
      }>(
        `query($where: DealFilter) {
          relationshipGraph(
            companyIds: ["amazon", "amazon-web-services", "poolside"]
            depth: 1
            where: $where
          ) {
            edges { dealIds }
            cycles(mix: ANY) { id }
          }
        }`,
        { where },
      );
      expect(res.errors).toBeUndefined();
      return res.data!.relationshipGraph;
    };
    const plain = await drawn();
    // The cancelled deals are drawn, as deals; they carry no cycle.
    expect(plain.edges.flatMap((e) => e.dealIds)).toContain('openai-aws-2026-02');
    expect(plain.cycles).toEqual([]);
    expect((await drawn({ statuses: ALL_STATUSES })).cycles.map((c) => companiesOf(c.id))).toEqual([
      'amazon>openai',
      'coreweave>poolside',
    ]);
  });

  it('count again once a write revives them', async () => {
    const revived = await t.gql(`mutation {
      recordCommitment(input: {
        id: "openai-aws-2026-02", customerId: "openai", providerId: "amazon-web-services",
        kind: CLOUD, status: ANNOUNCED, sources: [{ publisher: "Reuters" }]
      }) { id }
    }`);
    expect(revived.errors).toBeUndefined();
    expect(await cycles({})).toEqual(['amazon>openai', 'nvidia>oracle']);
    await t.load(GRAPH);
  });

  it('a flow graph derived before cancelled deals were left out is derived again', async () => {
    await t.db.write({
      name: 'test:dropLive',
      cypher: 'MATCH ()-[f:FLOWS_TO]->() REMOVE f.live',
    });
    expect(await t.stores.flows.needsRebuild()).toBe(true);
    await t.stores.flows.rebuildAll();
    expect(await t.stores.flows.needsRebuild()).toBe(false);
    expect(await cycles({ mix: 'ANY' })).toEqual(['amd>meta', 'nvidia>oracle']);
  });
});
