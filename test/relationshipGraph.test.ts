import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { company, commitment, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 * Money flows left to right; the depth is counted from Anthropic:
 *
 *   depth 1           0              1             2              3
 *   Amazon ==I1,I2,I3==> Anthropic ==C1,C2==> AWS ==C3==> Nvidia ==I5==> CoreWeave
 *   Amazon ==I4==> OpenAI (2) ==C4==> Nvidia          (AWS is Amazon's subsidiary)
 *   Loner has no deals.
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon', { sectors: ['HYPERSCALER'] }),
    company('aws', 'Amazon Web Services', { sectors: ['CLOUD_PROVIDER'], parentId: 'amazon' }),
    company('anthropic', 'Anthropic', { sectors: ['AI_LAB'] }),
    company('openai', 'OpenAI', { sectors: ['AI_LAB'] }),
    company('nvidia', 'Nvidia', { sectors: ['CHIPMAKER'] }),
    company('coreweave', 'CoreWeave', { sectors: ['NEOCLOUD'] }),
    company('loner', 'Loner', { sectors: ['OTHER'] }),
  ],
  investments: [
    investment('i1', 'amazon', 'anthropic', { amountUsd: 4e9, announcedOn: '2023-09-25' }),
    investment('i2', 'amazon', 'anthropic', { amountUsd: 2.75e9, announcedOn: '2024-03' }),
    investment('i3', 'amazon', 'anthropic', { announcedOn: '2024-11' }),
    investment('i4', 'amazon', 'openai', { amountUsd: 1e9, announcedOn: '2025-01' }),
    investment('i5', 'nvidia', 'coreweave', { amountUsd: 1e8, announcedOn: '2023-04' }),
  ],
  commitments: [
    commitment('c1', 'anthropic', 'aws', { amountUsd: 100e9, announcedOn: '2025-11' }),
    commitment('c2', 'anthropic', 'aws', { kind: 'CAPACITY', announcedOn: '2025-12' }),
    commitment('c3', 'aws', 'nvidia', {
      kind: 'HARDWARE',
      amountUsd: 10e9,
      amountIsUpperBound: true,
      announcedOn: '2024-06',
    }),
    commitment('c4', 'openai', 'nvidia', { kind: 'HARDWARE', amountUsd: 20e9 }),
  ],
});

interface Node {
  id: string;
  companyId: string;
  name: string;
  sectors: string[];
  parentId: string | null;
  depth: number;
}
interface Edge {
  id: string;
  source: string;
  target: string;
  type: string;
  kind: string;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  unknownAmountCount: number;
  dealCount: number;
  dealIds: string[];
}
interface Graph {
  nodes: Node[];
  edges: Edge[];
}

const GRAPH_QUERY = `
  query($ids: [ID!]!, $depth: Int, $where: DealFilter, $aggregate: Boolean) {
    relationshipGraph(companyIds: $ids, depth: $depth, where: $where, aggregate: $aggregate) {
      nodes { id companyId name sectors parentId depth }
      edges {
        id source target type kind amountUsd amountIsUpperBound unknownAmountCount dealCount dealIds
      }
    }
  }`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t.close());

async function graph(variables: Record<string, unknown>): Promise<Graph> {
  const res = await t.gql<{ relationshipGraph: Graph }>(GRAPH_QUERY, variables);
  expect(res.errors).toBeUndefined();
  return res.data!.relationshipGraph;
}

const depths = (g: Graph): Record<string, number> =>
  Object.fromEntries(g.nodes.map((n) => [n.companyId, n.depth]));
/** The deals drawn as edges, by deal id. */
const edgeIds = (g: Graph): string[] => g.edges.flatMap((e) => e.dealIds).sort();
/** A node's id: its company's id and a hash of the graph's arguments (its depth depends on them). */
const nodeId = (companyId: string) =>
  expect.stringMatching(new RegExp(`^${companyId}@[0-9a-f]{12}$`));

describe('relationshipGraph', () => {
  it('returns the companies within one deal hop, either direction, and the deals among them', async () => {
    const g = await graph({ ids: ['anthropic'] });
    expect(g.nodes).toEqual([
      {
        id: nodeId('anthropic'),
        companyId: 'anthropic',
        name: 'Anthropic',
        sectors: ['AI_LAB'],
        parentId: null,
        depth: 0,
      },
      {
        id: nodeId('amazon'),
        companyId: 'amazon',
        name: 'Amazon',
        sectors: ['HYPERSCALER'],
        parentId: null,
        depth: 1,
      },
      {
        id: nodeId('aws'),
        companyId: 'aws',
        name: 'Amazon Web Services',
        sectors: ['CLOUD_PROVIDER'],
        parentId: 'amazon',
        depth: 1,
      },
    ]);
    // One edge per deal, ordered by id: `<source>-><target>:<dealId>`.
    expect(g.edges).toEqual([
      edge('i1', 'amazon', 'anthropic', 'INVESTMENT', 'INVESTMENT', 4e9),
      edge('i2', 'amazon', 'anthropic', 'INVESTMENT', 'INVESTMENT', 2.75e9),
      edge('i3', 'amazon', 'anthropic', 'INVESTMENT', 'INVESTMENT', null),
      edge('c1', 'anthropic', 'aws', 'COMMITMENT', 'CLOUD', 100e9),
      edge('c2', 'anthropic', 'aws', 'COMMITMENT', 'CAPACITY', null),
    ]);
    expect(g.edges[0]!.id).toBe('amazon->anthropic:i1');
  });

  it('grows hop by hop with depth, each company at its shortest distance', async () => {
    expect(depths(await graph({ ids: ['anthropic'], depth: 0 }))).toEqual({ anthropic: 0 });
    const two = await graph({ ids: ['anthropic'], depth: 2 });
    expect(depths(two)).toEqual({ anthropic: 0, amazon: 1, aws: 1, nvidia: 2, openai: 2 });
    // c4 joins two companies at the outer depth: every deal between returned companies is drawn.
    expect(edgeIds(two)).toEqual(['c1', 'c2', 'c3', 'c4', 'i1', 'i2', 'i3', 'i4']);
    const three = await graph({ ids: ['anthropic'], depth: 3 });
    expect(depths(three)).toMatchObject({ nvidia: 2, coreweave: 3 });
    expect(edgeIds(three)).toContain('i5');
    expect(depths(three)).not.toHaveProperty('loner');
  });

  it('starts from several companies at once, each node at its distance from the nearest', async () => {
    const g = await graph({ ids: ['anthropic', 'coreweave'] });
    expect(depths(g)).toEqual({ anthropic: 0, coreweave: 0, amazon: 1, aws: 1, nvidia: 1 });
    // c3 runs between two companies reached from different starts.
    expect(edgeIds(g)).toEqual(['c1', 'c2', 'c3', 'i1', 'i2', 'i3', 'i5']);
  });

  it('applies the deal filter to the hops and to the edges alike', async () => {
    const investments = await graph({
      ids: ['anthropic'],
      depth: 2,
      where: { types: ['INVESTMENT'] },
    });
    expect(depths(investments)).toEqual({ anthropic: 0, amazon: 1, openai: 2 });
    expect(edgeIds(investments)).toEqual(['i1', 'i2', 'i3', 'i4']);

    // i4 ($1B) is too small to reach OpenAI; c4 would join it to Nvidia, but OpenAI is not reached.
    const big = await graph({ ids: ['anthropic'], depth: 2, where: { minAmountUsd: 3e9 } });
    expect(depths(big)).toEqual({ anthropic: 0, amazon: 1, aws: 1, nvidia: 2 });
    expect(edgeIds(big)).toEqual(['c1', 'c3', 'i1']);

    const dated = await graph({
      ids: ['anthropic'],
      where: { announcedFrom: '2024-01', announcedTo: '2024-12' },
    });
    expect(edgeIds(dated)).toEqual(['i2', 'i3']);
  });

  it('aggregates per source, target and kind with summed known amounts and stable ids', async () => {
    const g = await graph({ ids: ['anthropic'], depth: 2, aggregate: true });
    expect(g.edges).toEqual([
      {
        id: 'amazon->anthropic:INVESTMENT',
        source: 'amazon',
        target: 'anthropic',
        type: 'INVESTMENT',
        kind: 'INVESTMENT',
        amountUsd: 6.75e9,
        amountIsUpperBound: false,
        unknownAmountCount: 1,
        dealCount: 3,
        dealIds: ['i1', 'i2', 'i3'],
      },
      edge('amazon->openai:INVESTMENT', 'amazon', 'openai', 'INVESTMENT', 'INVESTMENT', 1e9, [
        'i4',
      ]),
      edge('anthropic->aws:CAPACITY', 'anthropic', 'aws', 'COMMITMENT', 'CAPACITY', null, ['c2']),
      edge('anthropic->aws:CLOUD', 'anthropic', 'aws', 'COMMITMENT', 'CLOUD', 100e9, ['c1']),
      {
        ...edge('aws->nvidia:HARDWARE', 'aws', 'nvidia', 'COMMITMENT', 'HARDWARE', 10e9, ['c3']),
        amountIsUpperBound: true,
      },
      edge('openai->nvidia:HARDWARE', 'openai', 'nvidia', 'COMMITMENT', 'HARDWARE', 20e9, ['c4']),
    ]);
    // Same request, same answer, byte for byte: edge ids can be referenced across requests.
    expect(await graph({ ids: ['anthropic'], depth: 2, aggregate: true })).toEqual(g);
  });

  it('gives each node its totals and its full company record', async () => {
    const res = await t.gql<{
      relationshipGraph: {
        nodes: {
          companyId: string;
          totals: { investedUsd: number };
          company: { subsidiaries: { id: string }[] };
        }[];
      };
    }>(`{
      relationshipGraph(companyIds: ["anthropic"]) {
        nodes { companyId totals { investedUsd raisedUsd } company { subsidiaries { id } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const amazon = res.data!.relationshipGraph.nodes.find((n) => n.companyId === 'amazon');
    // Totals cover all of Amazon's deals (i4 to OpenAI too), not only those drawn.
    expect(amazon).toEqual({
      companyId: 'amazon',
      totals: { investedUsd: 4e9 + 2.75e9 + 1e9, raisedUsd: 0 },
      company: { subsidiaries: [{ id: 'aws' }] },
    });
  });

  it('refuses unknown company ids with NOT_FOUND, listing them', async () => {
    const res = await t.gql(GRAPH_QUERY, { ids: ['anthropic', 'nope', 'nada'] });
    expect(res.data).toEqual({ relationshipGraph: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', ids: ['nope', 'nada'] });
    expect(res.errors?.[0]?.message).toBe("No company with id 'nope', 'nada'.");
  });

  it('refuses arguments past their caps with BAD_USER_INPUT naming the limit', async () => {
    for (const [variables, limit] of [
      [{ ids: ['anthropic'], depth: 4 }, 'depth'],
      [{ ids: ['anthropic'], depth: -1 }, 'depth'],
      [{ ids: Array.from({ length: 51 }, (_, i) => `c${i}`) }, 'companyIds'],
      [{ ids: [] }, 'companyIds'],
    ] as const) {
      const res = await t.gql(GRAPH_QUERY, variables);
      expect(res.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({
        code: 'BAD_USER_INPUT',
        limit,
      });
    }
    const badFilter = await t.gql(GRAPH_QUERY, { ids: ['anthropic'], where: { minAmountUsd: -1 } });
    expect(badFilter.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('relationshipGraph cycles', () => {
  const CYCLES_QUERY = `
    query($ids: [ID!]!, $depth: Int, $where: DealFilter, $aggregate: Boolean, $maxLength: Int,
          $mix: CycleMix) {
      relationshipGraph(companyIds: $ids, depth: $depth, where: $where, aggregate: $aggregate) {
        edges { id }
        cycles(maxLength: $maxLength, mix: $mix) { id key companyIds edgeIds }
      }
    }`;
  interface Cycles {
    edges: { id: string }[];
    cycles: { id: string; key: string; companyIds: string[]; edgeIds: string[] }[];
  }
  async function cycles(variables: Record<string, unknown>): Promise<Cycles> {
    const res = await t.gql<{ relationshipGraph: Cycles }>(CYCLES_QUERY, variables);
    expect(res.errors).toBeUndefined();
    return res.data!.relationshipGraph;
  }

  it('highlights the circle Amazon -> Anthropic -> AWS (Amazon) with the edges that carry it', async () => {
    const g = await cycles({ ids: ['anthropic'] });
    expect(g.cycles).toEqual([
      {
        // Its edgeIds depend on the graph's arguments, and so does its id.
        id: expect.stringMatching(/^graph:amazon>anthropic@[0-9a-f]{12}$/),
        key: 'amazon>anthropic',
        companyIds: ['amazon', 'anthropic'],
        edgeIds: [
          'amazon->anthropic:i1',
          'amazon->anthropic:i2',
          'amazon->anthropic:i3',
          'anthropic->aws:c1',
          'anthropic->aws:c2',
        ],
      },
    ]);
    // Every highlighted edge is one the graph returned.
    const drawn = new Set(g.edges.map((e) => e.id));
    expect(g.cycles[0]!.edgeIds.every((id) => drawn.has(id))).toBe(true);

    const aggregated = await cycles({ ids: ['anthropic'], aggregate: true });
    expect(aggregated.cycles[0]!.id).not.toBe(g.cycles[0]!.id);
    expect(aggregated.cycles).toEqual([
      {
        id: expect.stringMatching(/^graph:amazon>anthropic@[0-9a-f]{12}$/),
        key: 'amazon>anthropic',
        companyIds: ['amazon', 'anthropic'],
        edgeIds: [
          'amazon->anthropic:INVESTMENT',
          'anthropic->aws:CAPACITY',
          'anthropic->aws:CLOUD',
        ],
      },
    ]);
  });

  it('draws a cycle only when the graph carries every step, under its filter and mix', async () => {
    // AWS is not in the graph: the money back to Amazon has no edge to highlight.
    expect((await cycles({ ids: ['amazon', 'anthropic'], depth: 0 })).cycles).toEqual([]);
    // The graph's filter drops the deals of the step back; only those of one step remain.
    const dated = await cycles({ ids: ['anthropic'], where: { announcedTo: '2025-06' } });
    expect(dated.cycles).toEqual([]);
    // Only commitments drawn: with mix ANY the two-company loop has no way back either.
    const commitments = await cycles({
      ids: ['anthropic'],
      where: { types: ['COMMITMENT'] },
      mix: 'ANY',
    });
    expect(commitments.cycles).toEqual([]);
    // One deal per step is enough: only the first investment and the cloud contract.
    const narrow = await cycles({ ids: ['anthropic'], where: { minAmountUsd: 3e9 } });
    expect(narrow.cycles).toEqual([
      {
        id: expect.stringMatching(/^graph:amazon>anthropic@[0-9a-f]{12}$/),
        key: 'amazon>anthropic',
        companyIds: ['amazon', 'anthropic'],
        edgeIds: ['amazon->anthropic:i1', 'anthropic->aws:c1'],
      },
    ]);
  });

  it('refuses a maxLength past its cap with BAD_USER_INPUT naming the limit', async () => {
    const res = await t.gql(CYCLES_QUERY, { ids: ['anthropic'], maxLength: 7 });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'maxLength',
      max: 6,
    });
  });
});

describe('relationshipGraph result caps', () => {
  // A hub paying 501 companies (one node too many at depth 1), and two companies with 2001 deals
  // between them (one edge too many, unless aggregated).
  beforeAll(async () => {
    const leaves = Array.from({ length: 501 }, (_, i) => `leaf-${i}`);
    await t.load(
      dataset({
        companies: [
          company('hub', 'Hub'),
          company('payer', 'Payer'),
          company('payee', 'Payee'),
          ...leaves.map((id) => company(id, id)),
        ],
        investments: leaves.map((id) => investment(`hub-${id}`, 'hub', id, { amountUsd: 1e6 })),
        commitments: Array.from({ length: 2001 }, (_, i) =>
          commitment(`deal-${String(i).padStart(4, '0')}`, 'payer', 'payee', {
            amountUsd: i % 2 ? 1e6 : undefined,
          }),
        ),
      }),
    );
  }, 180_000);

  it('refuses more than 500 nodes with RESULT_LIMIT_EXCEEDED', async () => {
    const res = await t.gql(GRAPH_QUERY, { ids: ['hub'] });
    expect(res.data).toEqual({ relationshipGraph: null });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'RESULT_LIMIT_EXCEEDED',
      limit: 'nodes',
      max: 500,
    });
    // A stricter filter brings the same graph under the cap.
    expect((await graph({ ids: ['hub'], depth: 0 })).nodes).toHaveLength(1);
  });

  it('refuses more than 2000 edges, and aggregation folds them into one', async () => {
    const res = await t.gql(GRAPH_QUERY, { ids: ['payer'] });
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'RESULT_LIMIT_EXCEEDED',
      limit: 'edges',
      max: 2000,
    });
    const g = await graph({ ids: ['payer'], aggregate: true });
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]).toMatchObject({
      id: 'payer->payee:CLOUD',
      amountUsd: 1000 * 1e6,
      unknownAmountCount: 1001,
      dealCount: 2001,
    });
    expect(g.edges[0]!.dealIds).toHaveLength(2001);
  });
});

/** An edge of one deal (`id` is the deal's), or with `dealIds` an aggregated edge `id`. */
function edge(
  id: string,
  source: string,
  target: string,
  type: string,
  kind: string,
  amountUsd: number | null,
  dealIds?: string[],
): Edge {
  return {
    id: dealIds ? id : `${source}->${target}:${id}`,
    source,
    target,
    type,
    kind,
    amountUsd,
    amountIsUpperBound: false,
    unknownAmountCount: (dealIds?.length ?? 1) === 1 && amountUsd === null ? 1 : 0,
    dealCount: dealIds?.length ?? 1,
    dealIds: dealIds ?? [id],
  };
}
