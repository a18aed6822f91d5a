/**
 * Cursors as clients page with them: keyset-based (a write between two pages neither skips nor
 * repeats rows), bound to their list, honest about what lies before and after a page.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { company, commitment, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 *   Alpha ==a1 6e9, a2 5e9, a3 4e9, a4 3e9, a5 2e9, a6 1e9==> Beta
 *   Beta ==b1 (cloud, 9e9)==> Alpha      (one cycle alpha>beta)
 */
const GRAPH = dataset({
  companies: [company('alpha', 'Alpha'), company('beta', 'Beta')],
  investments: [6, 5, 4, 3, 2, 1].map((billions, i) =>
    investment(`a${i + 1}`, 'alpha', 'beta', { amountUsd: billions * 1e9 }),
  ),
  commitments: [commitment('b1', 'beta', 'alpha', { amountUsd: 9e9 })],
});

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
beforeEach(() => t.load(GRAPH));
afterAll(() => t?.close());

interface DealsPage {
  deals: {
    totalCount: number;
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
    edges: { cursor: string; node: { id: string } }[];
  } | null;
}

const DEALS: TypedDocumentNode<
  DealsPage,
  { first?: number; after?: string; last?: number; before?: string; types?: string[] }
> = gql`
  query Deals($first: Int, $after: String, $last: Int, $before: String, $types: [DealType!]) {
    deals(
      where: { types: $types }
      orderBy: { field: AMOUNT_USD, direction: DESC }
      first: $first
      after: $after
      last: $last
      before: $before
    ) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
        }
      }
    }
  }
`;

async function deals(variables: Record<string, unknown>) {
  const res = await t.gql<DealsPage>(DEALS.loc!.source.body, {
    types: ['INVESTMENT'],
    ...variables,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.deals!;
}
const ids = (page: NonNullable<DealsPage['deals']>) => page.edges.map((e) => e.node.id);

async function record(id: string, amountUsd: number): Promise<void> {
  const res = await t.gql(
    `mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`,
    {
      input: {
        id,
        investorId: 'alpha',
        investeeId: 'beta',
        amountUsd,
        status: 'ANNOUNCED',
        sources: [{ publisher: 'Reuters' }],
      },
    },
  );
  expect(res.errors).toBeUndefined();
}

describe('keyset cursors', () => {
  it("Apollo Client's relayStylePagination stays consistent across a write between two pages", async () => {
    const apollo = new ApolloClient({
      link: new HttpLink({ uri: t.url }),
      cache: new InMemoryCache({
        typePolicies: { Query: { fields: { deals: relayStylePagination(['where', 'orderBy']) } } },
      }),
    });
    const variables = { first: 2, types: ['INVESTMENT'] };
    const first = await apollo.query({ query: DEALS, variables });
    expect(ids(first.data!.deals!)).toEqual(['a1', 'a2']);
    expect(first.data!.deals!.pageInfo).toMatchObject({
      hasPreviousPage: false,
      hasNextPage: true,
    });

    // A larger deal lands at the top of the list before the next page is fetched: an offset
    // would shift by one and repeat a2.
    await record('a0', 7e9);

    await apollo.query({
      query: DEALS,
      variables: { ...variables, after: first.data!.deals!.pageInfo.endCursor! },
      fetchPolicy: 'network-only',
    });
    const merged = apollo.readQuery({ query: DEALS, variables })!.deals!;
    expect(ids(merged)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(merged.pageInfo.hasNextPage).toBe(true);
  });

  it('a deletion before the cursor skips nothing; the cursor outlives its own row', async () => {
    const first = await deals({ first: 3 });
    expect(ids(first)).toEqual(['a1', 'a2', 'a3']);
    for (const id of ['a1', 'a3']) {
      expect(
        (await t.gql(`mutation { deleteDeal(id: "${id}") { dealId } }`)).errors,
      ).toBeUndefined();
    }
    const second = await deals({ first: 3, after: first.pageInfo.endCursor });
    expect(ids(second)).toEqual(['a4', 'a5', 'a6']);
    expect(second.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(second.totalCount).toBe(4);
  });

  it('pages backwards with last and before; hasPreviousPage and hasNextPage say what lies around', async () => {
    const tail = await deals({ last: 2 });
    expect(ids(tail)).toEqual(['a5', 'a6']);
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const previous = await deals({ last: 2, before: tail.pageInfo.startCursor });
    expect(ids(previous)).toEqual(['a3', 'a4']);
    expect(previous.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const head = await deals({ last: 5, before: previous.pageInfo.startCursor });
    expect(ids(head)).toEqual(['a1', 'a2']);
    expect(head.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    // Forwards again from a cursor of a backward page.
    expect(ids(await deals({ first: 1, after: head.pageInfo.endCursor }))).toEqual(['a3']);
  });

  it("pages a company's deal list by keyset too, read ahead or not", async () => {
    const LIST = `query($after: String) {
      company(id: "alpha") {
        investmentsMade(first: 2, after: $after) {
          pageInfo { hasPreviousPage hasNextPage endCursor }
          edges { node { id amountUsd investee { name } } }
        }
      }
    }`;
    type List = {
      company: {
        investmentsMade: {
          pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; endCursor: string };
          edges: { node: { id: string } }[];
        };
      };
    };
    // Undated deals: ordered by id (the newest-first order puts unknown dates last).
    const one = (await t.gql<List>(LIST)).data!.company.investmentsMade;
    expect(one.edges.map((e) => e.node.id)).toEqual(['a1', 'a2']);
    await record('a0', 7e9);
    const two = (await t.gql<List>(LIST, { after: one.pageInfo.endCursor })).data!.company
      .investmentsMade;
    expect(two.edges.map((e) => e.node.id)).toEqual(['a3', 'a4']);
    expect(two.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('pages cycles by keyset as well', async () => {
    const CYCLES = `query($after: String) {
      circularDeals(where: { mix: ANY }, first: 1, after: $after) {
        totalCount pageInfo { hasPreviousPage hasNextPage endCursor } edges { node { key } }
      }
    }`;
    type Cycles = {
      circularDeals: {
        totalCount: number;
        pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; endCursor: string };
        edges: { node: { key: string } }[];
      };
    };
    const one = (await t.gql<Cycles>(CYCLES)).data!.circularDeals;
    expect(one).toMatchObject({ totalCount: 1, edges: [{ node: { key: 'alpha>beta' } }] });
    expect(one.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: false });
    const two = (await t.gql<Cycles>(CYCLES, { after: one.pageInfo.endCursor })).data!
      .circularDeals;
    expect(two.edges).toEqual([]);
    expect(two.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });
});

describe('cursors are bound to their list', () => {
  it('refuses a cursor of another field, of other arguments, or not ours, with BAD_USER_INPUT', async () => {
    const cursor = (await deals({ first: 1 })).pageInfo.endCursor!;
    const elsewhere = await t.gql(
      `query($after: String) { circularDeals(after: $after) { totalCount } }`,
      { after: cursor },
    );
    expect(elsewhere.data).toEqual({ circularDeals: null });
    expect(elsewhere.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(elsewhere.errors![0]!.message).toMatch(/after: is a cursor of another list/);

    const otherFilter = await t.gql(DEALS.loc!.source.body, {
      types: ['COMMITMENT'],
      after: cursor,
    });
    expect(otherFilter.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');

    for (const bad of [
      'bm90IGEgY3Vyc29y',
      'x',
      Buffer.from('{"b":"zz","k":[{}]}').toString('base64url'),
    ]) {
      const res = await t.gql(DEALS.loc!.source.body, { after: bad });
      expect(res.errors![0]!.message, bad).toMatch(/after: is not a cursor this server issued/);
    }
  });
});
