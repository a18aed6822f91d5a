/**
 * The API as a normalised client cache meets it: Apollo Client 4's InMemoryCache, in Node,
 * against the real server. Every object with an `id` must have the same field values wherever
 * that id appears, or one query's answer overwrites another's in the cache.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { company, commitment, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 *   Amazon ==I1 4e9, I2 5e9, I3 2.75e9, I4 1.25e9==> Anthropic ==C1 100e9==> AWS (Amazon's)
 *   Anthropic ==C2 (hardware)==> Nvidia
 *   Nvidia ==I5 1e8==> OpenAI ==C3 3e8==> Oracle ==C4 5e8==> Nvidia
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('aws', 'Amazon Web Services', { parentId: 'amazon' }),
    company('anthropic', 'Anthropic'),
    company('nvidia', 'Nvidia'),
    company('openai', 'OpenAI'),
    company('oracle', 'Oracle'),
  ],
  investments: [
    investment('i1', 'amazon', 'anthropic', { amountUsd: 4e9, announcedOn: '2023-09' }),
    investment('i2', 'amazon', 'anthropic', { amountUsd: 5e9, announcedOn: '2024-03' }),
    investment('i3', 'amazon', 'anthropic', { amountUsd: 2.75e9, announcedOn: '2024-11' }),
    investment('i4', 'amazon', 'anthropic', { amountUsd: 1.25e9, announcedOn: '2025-02' }),
    investment('i5', 'nvidia', 'openai', { amountUsd: 1e8, announcedOn: '2024-10' }),
  ],
  commitments: [
    commitment('c1', 'anthropic', 'aws', { amountUsd: 100e9, announcedOn: '2025-11' }),
    commitment('c2', 'anthropic', 'nvidia', { kind: 'HARDWARE', announcedOn: '2025-06' }),
    commitment('c3', 'openai', 'oracle', { amountUsd: 3e8, announcedOn: '2025-01' }),
    commitment('c4', 'oracle', 'nvidia', { kind: 'HARDWARE', amountUsd: 5e8 }),
  ],
});

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t?.close());

function client(cache = new InMemoryCache()): ApolloClient {
  return new ApolloClient({ link: new HttpLink({ uri: t.url }), cache });
}

interface CycleData {
  circularDeals: {
    edges: {
      node: {
        id: string;
        key: string;
        investedUsd: number;
        steps: { deals: { id: string }[] }[];
      };
    }[];
  } | null;
}

const CYCLES: TypedDocumentNode<CycleData, { deals?: Record<string, unknown> }> = gql`
  query Cycles($deals: FlowDealFilter) {
    circularDeals(where: { deals: $deals, maxLength: 2 }) {
      edges {
        node {
          id
          key
          investedUsd
          steps {
            deals {
              id
            }
          }
        }
      }
    }
  }
`;

function amazonAnthropic(data: CycleData | undefined) {
  const node = data?.circularDeals?.edges.find((e) => e.node.key === 'amazon>anthropic')?.node;
  expect(node).toBeDefined();
  return {
    id: node!.id,
    investedUsd: node!.investedUsd,
    deals: node!.steps.flatMap((s) => s.deals.map((d) => d.id)).sort(),
  };
}

describe('argument-dependent objects keep their values in the cache', () => {
  it('a DealCycle found under a deal filter does not overwrite the unfiltered one', async () => {
    const apollo = client();
    const unfiltered = amazonAnthropic((await apollo.query({ query: CYCLES })).data);
    expect(unfiltered).toEqual({
      id: 'amazon>anthropic',
      investedUsd: 13e9,
      deals: ['c1', 'i1', 'i2', 'i3', 'i4'],
    });
    const variables = { deals: { minAmountUsd: 3e9 } };
    const filtered = amazonAnthropic((await apollo.query({ query: CYCLES, variables })).data);
    expect(filtered.id).toMatch(/^amazon>anthropic@[0-9a-f]{12}$/);
    expect(filtered).toMatchObject({ investedUsd: 9e9, deals: ['c1', 'i1', 'i2'] });

    // Read back from the cache: each query still sees its own figures.
    expect(amazonAnthropic(apollo.readQuery({ query: CYCLES }) ?? undefined)).toEqual(unfiltered);
    expect(amazonAnthropic(apollo.readQuery({ query: CYCLES, variables }) ?? undefined)).toEqual(
      filtered,
    );
    // The same filter spelled differently (list order) is the same identity.
    const again = await apollo.query({
      query: CYCLES,
      variables: { deals: { minAmountUsd: 3e9, statuses: null } },
      fetchPolicy: 'network-only',
    });
    expect(amazonAnthropic(again.data).id).toBe(filtered.id);
  });

  interface GraphData {
    relationshipGraph: {
      nodes: { id: string; companyId: string; depth: number }[];
      edges: { id: string; source: string; target: string; amountUsd: number | null }[];
      cycles: { id: string; key: string; edgeIds: string[] }[] | null;
    } | null;
  }
  const GRAPH_QUERY: TypedDocumentNode<
    GraphData,
    { ids: string[]; aggregate?: boolean; where?: Record<string, unknown> }
  > = gql`
    query Graph($ids: [ID!]!, $aggregate: Boolean, $where: DealFilter) {
      relationshipGraph(companyIds: $ids, depth: 1, aggregate: $aggregate, where: $where) {
        nodes {
          id
          companyId
          depth
        }
        edges {
          id
          source
          target
          amountUsd
        }
        cycles(maxLength: 2) {
          id
          key
          edgeIds
        }
      }
    }
  `;

  it("a GraphNode's depth around one company survives fetching another company's graph", async () => {
    const apollo = client();
    const depthOf = (data: GraphData | null | undefined, companyId: string) =>
      data?.relationshipGraph?.nodes.find((n) => n.companyId === companyId)?.depth;
    const around = { ids: ['anthropic'] };
    expect(
      depthOf((await apollo.query({ query: GRAPH_QUERY, variables: around })).data, 'nvidia'),
    ).toBe(1);
    const own = { ids: ['nvidia'] };
    expect(
      depthOf((await apollo.query({ query: GRAPH_QUERY, variables: own })).data, 'nvidia'),
    ).toBe(0);
    expect(depthOf(apollo.readQuery({ query: GRAPH_QUERY, variables: around }), 'nvidia')).toBe(1);
    const node = (await apollo.query({ query: GRAPH_QUERY, variables: own })).data
      ?.relationshipGraph?.nodes[0];
    expect(node?.id).toMatch(/^nvidia@[0-9a-f]{12}$/);
  });

  it('aggregated edges under a date filter and cycles of per-deal and aggregated graphs stay apart', async () => {
    const apollo = client();
    const key = 'amazon->anthropic:INVESTMENT';
    const edge = (data: GraphData | null | undefined) =>
      data?.relationshipGraph?.edges.find((e) => e.id.startsWith(key));
    const all = { ids: ['anthropic'], aggregate: true };
    const recent = { ids: ['anthropic'], aggregate: true, where: { announcedFrom: '2024-06' } };
    expect(edge((await apollo.query({ query: GRAPH_QUERY, variables: all })).data)).toEqual({
      __typename: 'GraphEdge',
      id: key,
      source: 'amazon',
      target: 'anthropic',
      amountUsd: 13e9,
    });
    const filtered = edge((await apollo.query({ query: GRAPH_QUERY, variables: recent })).data);
    expect(filtered?.id).toMatch(/^amazon->anthropic:INVESTMENT@[0-9a-f]{12}$/);
    expect(filtered?.amountUsd).toBe(4e9);
    expect(edge(apollo.readQuery({ query: GRAPH_QUERY, variables: all }))?.amountUsd).toBe(13e9);

    // The same cycle highlighted in a per-deal and an aggregated graph: each keeps edge ids
    // that name its own response's edges.
    const perDeal = { ids: ['anthropic'], aggregate: false };
    const perDealData = (await apollo.query({ query: GRAPH_QUERY, variables: perDeal })).data;
    for (const [variables, data] of [
      [all, apollo.readQuery({ query: GRAPH_QUERY, variables: all })],
      [perDeal, apollo.readQuery({ query: GRAPH_QUERY, variables: perDeal })],
    ] as const) {
      const graph = data?.relationshipGraph;
      const cycle = graph?.cycles?.find((c) => c.key === 'amazon>anthropic');
      expect(cycle, JSON.stringify(variables)).toBeDefined();
      const edgeIds = new Set(graph!.edges.map((e) => e.id));
      expect(cycle!.edgeIds.every((id) => edgeIds.has(id))).toBe(true);
    }
    expect(perDealData?.relationshipGraph?.edges.map((e) => e.id)).toContain(
      'amazon->anthropic:i1',
    );
  });
});

describe('ids are unique across types', () => {
  const MIXED = gql`
    {
      company(id: "openai") {
        id
        name
      }
      circularDeals(where: { maxLength: 3 }) {
        edges {
          node {
            id
            key
            length
          }
        }
      }
      moneyPaths(from: "nvidia", to: "oracle") {
        edges {
          node {
            id
            key
            length
          }
        }
      }
      relationshipGraph(companyIds: ["openai"], depth: 0) {
        nodes {
          id
          companyId
          depth
        }
      }
    }
  `;

  it('even a cache keyed by id alone keeps every object apart', async () => {
    // A stricter cache than Apollo's default (`__typename` + `id`): ids alone.
    const apollo = client(
      new InMemoryCache({
        dataIdFromObject: (o) => (typeof o.id === 'string' ? o.id : undefined),
      }),
    );
    const fetched = (await apollo.query({ query: MIXED })).data as Record<string, never>;
    const cached = apollo.readQuery({ query: MIXED }) as Record<string, never>;
    expect(cached).toEqual(fetched);
    const data = cached as unknown as {
      company: { id: string; name: string };
      circularDeals: { edges: { node: { id: string; key: string; length: number } }[] };
      moneyPaths: { edges: { node: { id: string; key: string; length: number } }[] };
      relationshipGraph: { nodes: { id: string; companyId: string; depth: number }[] };
    };
    expect(data.company).toMatchObject({ id: 'openai', name: 'OpenAI' });
    const cycle = data.circularDeals.edges.find((e) => e.node.key === 'nvidia>openai>oracle');
    const path = data.moneyPaths.edges.find((e) => e.node.key === 'nvidia>openai>oracle');
    expect(cycle?.node).toMatchObject({ id: 'nvidia>openai>oracle', length: 3 });
    expect(path?.node).toMatchObject({ id: 'path:nvidia>openai>oracle', length: 2 });
    expect(data.relationshipGraph.nodes).toEqual([
      expect.objectContaining({ companyId: 'openai', depth: 0 }),
    ]);
    expect(data.relationshipGraph.nodes[0]!.id).not.toBe('openai');
  });

  it('refuses a deal with a company id and a company with a deal id', async () => {
    const deal = await t.gql(`mutation {
      recordInvestment(input: { id: "oracle", investorId: "nvidia", investeeId: "openai",
        status: ANNOUNCED, sources: [{ publisher: "Reuters" }] }) { id }
    }`);
    expect(deal.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(deal.errors?.[0]?.message).toMatch(/'oracle' is already the id of a company/);
    const firm = await t.gql(
      `mutation { upsertCompany(input: { id: "i1", name: "I One" }) { id } }`,
    );
    expect(firm.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(firm.errors?.[0]?.message).toMatch(/'i1' is already the id of a deal/);
    expect(await t.cypher('MATCH (n {id: "i1"}) RETURN labels(n) AS labels')).toEqual([
      { labels: expect.not.arrayContaining(['Company']) },
    ]);
  });
});
