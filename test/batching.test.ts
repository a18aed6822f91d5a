import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitment, company, dataset, investment, source } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

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
  await t.load(GRAPH);
  t.db.observe((name) => recording?.push(name));
});
afterAll(() => t.close());

/** The response, and the names of the Neo4j queries made while answering it. */
async function queriesOf<T>(
  query: string,
  variables: Record<string, unknown>,
): Promise<{ data: T; queries: string[] }> {
  recording = [];
  try {
    const res = await t.gql<T>(query, variables);
    expect(res.errors).toBeUndefined();
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

    // One query per kind of data and level of the selection, never one per company: the list
    // once, then parents, subsidiaries, ultimate parents, totals and the four deal pages (which
    // bring the deals' companies and sources along), then the providers' parents.
    expect([...fifty.queries].sort()).toEqual([...ten.queries].sort());
    expect(fifty.queries.length, fifty.queries.join(', ')).toBeLessThanOrEqual(10);
  });

  it('loads the totals and companies of every relationshipGraph node in one query each', async () => {
    const query = `
      query($ids: [ID!]!) {
        relationshipGraph(companyIds: $ids) {
          nodes { id totals { investedUsd } company { parent { id } subsidiaries { id } } }
          edges { id }
        }
      }`;
    const small = await queriesOf<{ relationshipGraph: { nodes: unknown[] } }>(query, {
      ids: ['a00'],
    });
    const large = await queriesOf<{ relationshipGraph: { nodes: unknown[] } }>(query, {
      ids: range.map((i) => `a${i}`),
    });
    expect(small.data.relationshipGraph.nodes).toHaveLength(4);
    expect(large.data.relationshipGraph.nodes).toHaveLength(4 * COMPANIES);
    expect(large.queries.length, large.queries.join(', ')).toBe(small.queries.length);
    expect(large.queries.length, large.queries.join(', ')).toBeLessThanOrEqual(4);
  });
});
