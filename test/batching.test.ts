import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitment, company, dataset, investment, source } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { readAheadPlanned } from '../src/stores/selectionStore.js';

/**
 * No N+1: a nested query costs the same few Neo4j round trips whether it lists 10 companies or 50.
 * Database.observe reports every session (one per query or transaction), so counting its calls
 * during one request counts the request's round trips to Neo4j.
 */
const COMPANIES = 50;
const n = (i: number): string => String(i).padStart(2, '0');

// The listed companies a00..a49 all have the same shape, so that any 10 of them ask for the same
// kinds of data as all 50, and every company their fields lead to is outside the list (ids sort
// after `a`), so that no batch is saved by the per-request cache of an earlier one:
//   h<i> (holding) <-parent- a<i> <-parent- s<i> (subsidiary)
//   h<i> invests in a<i>, a<i> invests in s<i>, s<i> buys from a<i>, a<i> buys from p<i>,
//   and p<i> (provider) is a subsidiary of g<i>. Each deal is reported twice.
const sources = [source('Reuters'), source('Bloomberg')];
const range = Array.from({ length: COMPANIES }, (_, i) => n(i));
const GRAPH = dataset({
  companies: range.flatMap((i) => [
    company(`h${i}`, `Holding ${i}`),
    company(`a${i}`, `Company ${i}`, { sectors: ['AI_LAB'], parentId: `h${i}` }),
    company(`s${i}`, `Subsidiary ${i}`, { parentId: `a${i}` }),
    company(`g${i}`, `Group ${i}`),
    company(`p${i}`, `Provider ${i}`, { sectors: ['CLOUD_PROVIDER'], parentId: `g${i}` }),
  ]),
  investments: range.flatMap((i) => [
    investment(`h${i}-a${i}`, `h${i}`, `a${i}`, { amountUsd: 1e9, sources }),
    investment(`a${i}-s${i}`, `a${i}`, `s${i}`, { amountUsd: 2e9, sources }),
  ]),
  commitments: range.flatMap((i) => [
    commitment(`s${i}-a${i}`, `s${i}`, `a${i}`, { amountUsd: 3e9, sources }),
    commitment(`a${i}-p${i}`, `a${i}`, `p${i}`, { amountUsd: 4e9, sources }),
  ]),
});

// Companies with every kind of field filled in, for comparing the two ways of reading them.
const RICH = dataset({
  companies: [
    company('x1', 'Rich Holding', { aliases: ['RH'], country: 'US', website: 'https://x1.test' }),
    company('x2', 'Rich Lab', { sectors: ['AI_LAB'], parentId: 'x1' }),
    company('x3', 'Rich Cloud', { sectors: ['CLOUD_PROVIDER'], parentId: 'x1' }),
    company('x4', 'Rich Sub', { parentId: 'x2' }),
    company('x5', 'Rich Other', { country: 'FR' }),
  ],
  investments: [
    investment('xi1', 'x5', 'x2', {
      amountUsd: 5e9,
      instrument: 'EQUITY',
      announcedOn: '2024-05',
      status: 'COMPLETED',
      sources: [
        source('Reuters', { title: 'B', url: 'https://r.test/b', publishedOn: '2024-05-02' }),
        source('Reuters', { title: 'A' }),
      ],
    }),
    investment('xi2', 'x5', 'x4', { note: 'amount not disclosed', announcedOn: '2025-01-10' }),
    investment('xi3', 'x1', 'x5', {
      amountUsd: 1e9,
      amountIsUpperBound: true,
      announcedOn: '2023-11',
    }),
    investment('xi4', 'x5', 'x3', {
      amountUsd: 2e8,
      announcedOn: '2025-03',
      instrument: 'CONVERTIBLE_NOTE',
    }),
  ],
  commitments: [
    commitment('xc1', 'x2', 'x3', {
      amountUsd: 3e10,
      term: '7 years',
      announcedOn: '2024-06-01',
      quantity: { value: 1, unit: 'GW' },
    }),
    commitment('xc2', 'x4', 'x5', { kind: 'HARDWARE', status: 'LETTER_OF_INTENT' }),
    commitment('xc3', 'x2', 'x5', { kind: 'CAPACITY', amountUsd: 7e8, announcedOn: '2025-02' }),
  ],
});

/** Every field of a company, nested: read ahead under `companies`, per field under `company`. */
const RICH_FIELDS = `
  fragment C on Company { id name aliases sectors country website __typename }
  fragment D on Deal {
    id __typename amountUsd amountIsUpperBound quantity { value unit } announcedOn status note
    sources { publisher title url publishedOn }
    from { id name } to { ...C }
  }
  fragment Rich on Company {
    ...C
    parent { ...C parent { id name } ultimateParent { id } totals { __typename } }
    ultimateParent { id name totals { raisedUsd receivedUnknownCount } }
    subsidiaries { ...C totals { investedUsd investedUnknownCount committedUsd
      committedUnknownCount raisedUsd raisedUnknownCount receivedUsd receivedUnknownCount } }
    totals { investedUsd receivedUsd }
    t2: totals @skip(if: false) { __typename committedUsd }
    website @skip(if: true)
    investmentsMade(first: $n, where: { announcedFrom: $from }) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        ...D instrument investor { id }
        investee { ...C investmentsReceived(first: 2) { totalCount edges { node { id investor { name } } } } }
      } }
    }
    later: investmentsMade(first: 1, after: $later) @include(if: true) { totalCount edges { cursor node { id } } }
    investmentsReceived(first: 4, where: { minAmountUsd: 1000 }) {
      totalCount edges { node { id instrument from { id } to { id } } }
    }
    commitmentsMade(first: $n) {
      totalCount
      edges { node { ...D kind term customer { id } provider { id subsidiaries { id } } } }
    }
    commitmentsReceived(first: 5, where: { types: [INVESTMENT] }) { totalCount edges { node { id } } }
    cloud: commitmentsReceived(where: { statuses: [ANNOUNCED], commitmentKinds: [CLOUD] }) {
      totalCount edges { node { id status kind } }
    }
    ... on Company {
      investmentsMade(first: $n, where: { announcedFrom: $from }) {
        edges { node { note sources { title } } }
      }
    }
  }`;

const NESTED = `
  query($first: Int!) {
    companies(first: $first, orderBy: { field: ID }) {
      edges { node {
        id
        parent { id name }
        subsidiaries { id }
        ultimateParent { id }
        totals { investedUsd committedUsd }
        investmentsMade(first: 5) {
          totalCount
          edges { node { amountUsd investee { name } sources { publisher } } }
        }
        investmentsReceived(first: 5) { edges { node { investor { id } } } }
        commitmentsMade(first: 5) {
          edges { node { kind provider { name parent { id } } sources { publisher } } }
        }
        commitmentsReceived(first: 5) { edges { node { customer { id } } } }
      } }
    }
  }`;

interface NestedCompany {
  id: string;
  investmentsMade: { edges: { node: { sources: unknown[] } }[] };
}

let t: TestServer;
let recording: string[] | null = null;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(
    dataset({
      companies: [...GRAPH.companies, ...RICH.companies],
      investments: [...GRAPH.investments, ...RICH.investments],
      commitments: [...GRAPH.commitments, ...RICH.commitments],
    }),
  );
  t.db.observe((name) => recording?.push(name));
});
afterAll(() => t.close());

/**
 * The response, and the names of the Neo4j queries made while answering it once the read-ahead
 * statement of its shape is planned. The first answer of a new shape comes from the loaders while
 * Neo4j plans that statement in the background (selectionStore.ts, readAhead): it must be the
 * same answer.
 */
async function queriesOf<T>(
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: T; queries: string[] }> {
  const first = await t.gql<T>(query, variables);
  expect(first.errors).toBeUndefined();
  await readAheadPlanned();
  recording = [];
  try {
    const res = await t.gql<T>(query, variables);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual(first.data);
    return { data: res.data!, queries: recording };
  } finally {
    recording = null;
  }
}

describe('batching', () => {
  it('answers a nested query over 10 or 50 companies with the same few Neo4j queries', async () => {
    const ten = await queriesOf<{ companies: { edges: { node: NestedCompany }[] } }>(NESTED, {
      first: 10,
    });
    const fifty = await queriesOf<{ companies: { edges: { node: NestedCompany }[] } }>(NESTED, {
      first: 50,
    });

    // The data is really there, for every company.
    const companies = fifty.data.companies.edges.map((e) => e.node);
    expect(companies.map((c) => c.id)).toEqual(range.map((i) => `a${i}`));
    for (const [k, c] of companies.entries()) {
      const i = n(k);
      expect(c).toMatchObject({
        parent: { id: `h${i}` },
        subsidiaries: [{ id: `s${i}` }],
        ultimateParent: { id: `h${i}` },
        totals: { investedUsd: 2e9, committedUsd: 4e9 },
        investmentsMade: { edges: [{ node: { investee: { name: `Subsidiary ${i}` } } }] },
        investmentsReceived: { edges: [{ node: { investor: { id: `h${i}` } } }] },
        commitmentsMade: {
          edges: [{ node: { provider: { name: `Provider ${i}`, parent: { id: `g${i}` } } } }],
        },
        commitmentsReceived: { edges: [{ node: { customer: { id: `s${i}` } } }] },
      });
      expect(c.investmentsMade.edges[0]!.node.sources).toHaveLength(2);
    }

    // The page and everything selected below it are read in one query (stores/selectionStore.ts).
    expect(ten.queries).toEqual(['companies:selected:all:ID_ASC']);
    expect(fifty.queries).toEqual(ten.queries);
  });

  it('reads a company page, and companies by id, with everything below as the loaders do', async () => {
    // `later` pages on from the first of a company's investments (cursors are keyset-based).
    const first = await t.gql<{
      company: { investmentsMade: { pageInfo: { endCursor: string } } };
    }>('{ company(id: "x5") { investmentsMade(first: 1) { pageInfo { endCursor } } } }');
    const later = first.data!.company.investmentsMade.pageInfo.endCursor;
    const variables = { n: 2, from: '2024-01', later };
    const ids = ['x1', 'x2', 'x3', 'x4', 'x5'];
    const listed = await queriesOf<{ companies: { edges: { node: { id: string } }[] } }>(
      `query($n: Int!, $from: PartialDate, $later: String) {
        companies(first: 10, where: { search: "rich" }, orderBy: { field: NAME }) {
          edges { node { ...Rich } }
        }
      } ${RICH_FIELDS}`,
      variables,
    );
    // By id: read ahead, the five (same selection) in one batch.
    const byId = await queriesOf<Record<string, { id: string }>>(
      `query($n: Int!, $from: PartialDate, $later: String) {
        ${ids.map((id) => `${id}: company(id: "${id}") { ...Rich }`).join('\n')}
      } ${RICH_FIELDS}`,
      variables,
    );
    // As the companies of a drawn graph, whose fields each use their batched loader.
    const drawn = await queriesOf<{
      relationshipGraph: { nodes: { company: { id: string } }[] };
    }>(
      `query($n: Int!, $from: PartialDate, $later: String, $ids: [ID!]!) {
        relationshipGraph(companyIds: $ids, depth: 0) { nodes { company { ...Rich } } }
      } ${RICH_FIELDS}`,
      { ...variables, ids },
    );
    expect(listed.queries).toEqual(['companies:selected:search:NAME_ASC']);
    expect(byId.queries).toEqual(['companiesByIds:selected']); // the same selection: one batch
    expect(drawn.queries.length).toBeGreaterThan(5);
    const single = Object.fromEntries(
      drawn.data.relationshipGraph.nodes.map(({ company }) => [company.id, company]),
    );

    const nodes = listed.data.companies.edges.map((e) => e.node);
    expect(nodes.map((c) => c.id)).toEqual(['x3', 'x1', 'x2', 'x5', 'x4']); // by name
    for (const node of nodes) {
      expect(node).toEqual(single[node.id]);
      expect(byId.data[node.id]).toEqual(single[node.id]);
    }
    // The data is there (not two equally empty answers).
    expect(single.x2).toMatchObject({
      parent: { id: 'x1', parent: null, ultimateParent: { id: 'x1' } },
      ultimateParent: { id: 'x1', name: 'Rich Holding' },
      subsidiaries: [{ id: 'x4', totals: { committedUnknownCount: 1 } }],
      commitmentsMade: {
        totalCount: 2,
        edges: [
          { node: { id: 'xc3', kind: 'CAPACITY', provider: { id: 'x5' } } },
          { node: { id: 'xc1', term: '7 years', quantity: { value: 1, unit: 'GW' } } },
        ],
      },
    });
    expect(single.x5).toMatchObject({
      investmentsMade: {
        totalCount: 3,
        pageInfo: { hasNextPage: true },
        edges: [{ node: { id: 'xi4' } }, { node: { id: 'xi2', note: 'amount not disclosed' } }],
      },
      later: { totalCount: 3, edges: [{ cursor: expect.any(String), node: { id: 'xi2' } }] },
      cloud: { totalCount: 0 },
      commitmentsReceived: { totalCount: 0 },
    });
    expect(single.x2).toMatchObject({
      investmentsReceived: {
        edges: [{ node: { id: 'xi1', instrument: 'EQUITY' } }],
      },
    });
  });

  it('reads a page of deals of both types with everything below them as the loaders do', async () => {
    const DEAL_FIELDS = `
      fragment C on Company { id name aliases sectors country website }
      fragment Deal on Deal {
        __typename id amountUsd amountIsUpperBound quantity { value unit } announcedOn status note
        from { ...C } to { id parent { id } } sources { publisher title url publishedOn }
        ... on Investment { instrument investor { id totals { investedUsd } } investee { name } }
        ... on CloudCommitment {
          kind term customer { id } provider { name subsidiaries { id } }
          investmentsOfProvider: to { investmentsReceived(first: 1) { totalCount } }
        }
      }`;
    const listed = await queriesOf<{ deals: { edges: { node: { id: string } }[] } }>(
      `{ deals(first: 10, where: { companyId: "x5" }) { totalCount edges { node { ...Deal } } } }
       ${DEAL_FIELDS}`,
      {},
    );
    const ids = ['xi1', 'xi2', 'xi3', 'xi4', 'xc2', 'xc3'];
    const single = await queriesOf<Record<string, { id: string }>>(
      `{ ${ids.map((id) => `${id}: deal(id: "${id}") { ...Deal }`).join('\n')} } ${DEAL_FIELDS}`,
      {},
    );
    expect(listed.queries).toEqual(['deals:selected:company:ANNOUNCED_ON_DESC']);
    expect(single.queries.length).toBeGreaterThan(3);
    const nodes = listed.data.deals.edges.map((e) => e.node);
    // Newest first, undated last.
    expect(nodes.map((d) => d.id)).toEqual(['xi4', 'xc3', 'xi2', 'xi1', 'xi3', 'xc2']);
    for (const node of nodes) expect(node).toEqual(single.data[node.id]);
    expect(single.data.xc3).toMatchObject({
      __typename: 'CloudCommitment',
      kind: 'CAPACITY',
      provider: { name: 'Rich Other', subsidiaries: [] },
      investmentsOfProvider: { investmentsReceived: { totalCount: 1 } },
    });
    expect(single.data.xi1).toMatchObject({
      __typename: 'Investment',
      instrument: 'EQUITY',
      investor: { id: 'x5', totals: { investedUsd: 5.2e9 } },
      to: { id: 'x2', parent: { id: 'x1' } },
    });
  });

  it('leaves a deal list with invalid arguments to its resolver, which names the field', async () => {
    const res = await t.gql(
      `{ companies(first: 2, orderBy: { field: ID }) {
          edges { node { id investmentsMade(after: "not-a-cursor") { totalCount } } }
      } }`,
    );
    expect(res.errors?.[0]).toMatchObject({
      path: ['companies', 'edges', 0, 'node', 'investmentsMade'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('falls back to the loaders when the nodes are selected under two keys', async () => {
    const { data, queries } = await queriesOf<{
      companies: { a: { node: { id: string; parent: { id: string } } }[]; b: unknown[] };
    }>(
      `{ companies(first: 3, orderBy: { field: ID }) {
          a: edges { node { id parent { id } } }
          b: edges { node { id totals { investedUsd } } }
      } }`,
      {},
    );
    expect(data.companies.a.map((e) => e.node.parent.id)).toEqual(['h00', 'h01', 'h02']);
    expect(queries).toContain('companies:all:ID_ASC');
    expect(queries).toContain('companyTotalsByIds');
  });

  it('reads the totals of relationshipGraph nodes with the graph, their companies in batches', async () => {
    const query = `
      query($ids: [ID!]!) {
        relationshipGraph(companyIds: $ids) {
          nodes {
            id
            totals { investedUsd committedUnknownCount }
            more: totals { raisedUsd }
            company {
              parent { id }
              subsidiaries { id }
              totals { investedUsd committedUnknownCount raisedUsd }
            }
          }
          edges { id }
        }
      }`;
    type Totals = { investedUsd: number; committedUnknownCount: number; raisedUsd: number };
    type Graph = {
      relationshipGraph: {
        nodes: {
          totals: Omit<Totals, 'raisedUsd'>;
          more: Pick<Totals, 'raisedUsd'>;
          company: { totals: Totals };
        }[];
      };
    };
    const small = await queriesOf<Graph>(query, { ids: ['a00'] });
    const large = await queriesOf<Graph>(query, { ids: range.map((i) => `a${i}`) });
    expect(small.data.relationshipGraph.nodes).toHaveLength(4);
    expect(large.data.relationshipGraph.nodes).toHaveLength(4 * COMPANIES);
    expect(large.queries.length, large.queries.join(', ')).toBe(small.queries.length);
    // The graph with its nodes' totals, then the companies' parents, subsidiaries and totals.
    expect(large.queries.length, large.queries.join(', ')).toBeLessThanOrEqual(4);
    expect(large.queries[0]).toMatch(
      /^relationshipGraph:depth1:perDeal:totals:invested,committed,raised$/,
    );
    // Read with the graph or through the loader, the totals agree.
    for (const node of large.data.relationshipGraph.nodes) {
      expect({ ...node.totals, ...node.more }).toEqual(node.company.totals);
    }
    expect(large.data.relationshipGraph.nodes.some((n) => n.totals.investedUsd > 0)).toBe(true);
  });
});
