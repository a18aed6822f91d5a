/**
 * The cost model: before a request runs, one walk over its operation estimates the fields its
 * response can hold and counts the searches (cycle, path, graph queries) it can trigger, a field
 * such as Company.cycles once per company of the page it sits in. Ordinary pages pass; what is
 * truly large, or runs more searches than a request may, is refused with the estimate and the
 * limit.
 */
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_LIMITS, loadConfig } from '../src/config.js';
import { estimateCost } from '../src/http/queryLimits.js';
import { loadTypeDefs } from '../src/schema.js';
import { startTestServer, type GraphQLResponse, type TestServer } from './support/harness.js';

const schema = buildSchema(loadTypeDefs());

function estimate(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  )!;
  return estimateCost(schema, document, operation, variables);
}

/** The table a frontend draws: 50 cycles with their steps, deals and sources. */
const CYCLE_TABLE = `query CycleTable($first: Int) {
  circularDeals(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id length investedUsd committedUsd roundTripRatio bottleneckUsd firstDate lastDate
      timeRespecting
      companies { id name }
      steps {
        from { id name } to { id name } amountUsd unknownAmountCount
        deals { id __typename amountUsd announcedOn status sources { publisher title url } }
      }
    } }
  }
}`;

describe('estimateCost', () => {
  it('prices the 50-cycle table far below the limit (it cost 174,301 before)', () => {
    const { fields, searches } = estimate(CYCLE_TABLE, { first: 50 });
    expect(fields).toBeLessThan(DEFAULT_QUERY_LIMITS.maxCost / 4);
    expect(fields).toBeGreaterThan(50 * 4 * 3 * 3); // 50 cycles x 4 steps x 3 deals x 3 source fields
    expect(searches).toBe(1);
  });

  it("sizes a cycle's steps and companies by the search's maxLength", () => {
    const query = (maxLength: number) =>
      `{ circularDeals(first: 10, where: { maxLength: ${maxLength} }) { edges { node { steps { amountUsd } } } } }`;
    const short = estimate(query(2)).fields;
    const long = estimate(query(8)).fields;
    // 10 cycles x maxLength steps, plus the fixed fields.
    expect(long - short).toBe(10 * (8 - 2));
  });

  it("sizes a graph's nodes by its start companies and depth, up to the cap", () => {
    const nodes = (ids: number, depth: number) =>
      estimate(
        `{ relationshipGraph(companyIds: [${Array(ids).fill('"a"').join(', ')}], depth: ${depth}) { nodes { id } } }`,
      ).fields - 2; // relationshipGraph and nodes themselves
    expect(nodes(5, 0)).toBe(5);
    expect(nodes(1, 1)).toBe(20);
    expect(nodes(2, 2)).toBe(500);
    expect(nodes(50, 3)).toBe(500);
  });

  it('counts Company.cycles once per company of the page it sits in', () => {
    expect(estimate(`{ company(id: "a") { cycles { totalCount } } }`).searches).toBe(1);
    expect(
      estimate(`{ companies(first: 30) { edges { node { cycles { totalCount } } } } }`).searches,
    ).toBe(30);
    expect(estimate(`{ companies { edges { node { cycles { totalCount } } } } }`).searches).toBe(
      20,
    ); // the default page
    // Every company of every cycle of a page of 5, cycles of up to 3 companies.
    expect(
      estimate(
        `{ circularDeals(first: 5, where: { maxLength: 3 }) { edges { node { companies { cycles { totalCount } } } } } }`,
      ).searches,
    ).toBe(1 + 5 * 3);
  });

  it('counts searches written in fragments, and leaves out skipped ones', () => {
    const query = `query($skip: Boolean!) {
      companies(first: 4) { edges { node { ...Cycles } } }
      relationshipGraph(companyIds: ["a"]) { ... on RelationshipGraph { cycles { id } } }
      moneyPaths(from: "a", to: "b") @skip(if: $skip) { totalCount }
    }
    fragment Cycles on Company { cycles { totalCount } }`;
    expect(estimate(query, { skip: false }).searches).toBe(4 + 2 + 1);
    expect(estimate(query, { skip: true }).searches).toBe(4 + 2);
  });
});

describe('over HTTP', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.load({
      formatVersion: 1,
      companies: Array.from({ length: 12 }, (_, i) => ({ id: `c${i}`, name: `C${i}` })),
    });
  });
  afterAll(() => t.close());

  const code = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;

  it('serves the 50-cycle table', async () => {
    const res = await t.gql(CYCLE_TABLE, { first: 50 });
    expect(res.errors).toBeUndefined();
  });

  it('refuses a truly large query, giving the estimate and the limit', async () => {
    const res = await t.gql(`{
      companies(first: 100) { edges { node {
        investmentsMade(first: 100) { edges { node { investee {
          investmentsReceived(first: 100) { edges { node { id amountUsd } } }
        } } } }
      } } }
    }`);
    expect(res.status).toBe(400);
    expect(code(res)).toBe('QUERY_TOO_COMPLEX');
    const { estimate: found, limit } = res.errors![0]!.extensions as Record<string, number>;
    expect(limit).toBe(DEFAULT_QUERY_LIMITS.maxCost);
    expect(found).toBeGreaterThan(100 ** 3);
    expect(res.errors![0]!.message).toContain(`limit of ${limit} exceeded, estimated ${found}`);
  });

  it('refuses more searches than a request may run, before running any', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxSearches;
    const res = await t.gql(
      `{ companies(first: ${max + 1}) { edges { node { id cycles { totalCount } } } } }`,
    );
    expect(res.status).toBe(400);
    expect(code(res)).toBe('TOO_MANY_SEARCHES');
    expect(res.data ?? null).toBeNull();
    expect(res.errors![0]!.extensions).toMatchObject({ estimate: max + 1, limit: max });
    expect(res.errors![0]!.message).toContain(`limit of ${max} exceeded, estimated ${max + 1}`);

    const within = await t.gql(
      `{ companies(first: ${max}) { edges { node { id cycles { totalCount } } } } }`,
    );
    expect(within.errors).toBeUndefined();
  });

  it('counts aliased searches one by one', async () => {
    const max = DEFAULT_QUERY_LIMITS.maxSearches;
    const aliases = Array.from(
      { length: max + 1 },
      (_, i) => `s${i}: circularDeals { totalCount }`,
    );
    const res = await t.gql(`{ ${aliases.join(' ')} }`);
    expect(code(res)).toBe('TOO_MANY_SEARCHES');
  });
});

describe('GRAPHQL_MAX_SEARCHES', () => {
  it('sets the budget, and must be a positive whole number', () => {
    expect(loadConfig({ GRAPHQL_MAX_SEARCHES: '25' }).limits.maxSearches).toBe(25);
    expect(() => loadConfig({ GRAPHQL_MAX_SEARCHES: '0' })).toThrow(/GRAPHQL_MAX_SEARCHES/);
  });

  it('is what the server enforces', async () => {
    const t = await startTestServer({
      config: { limits: { ...DEFAULT_QUERY_LIMITS, maxSearches: 1 } },
    });
    try {
      const two = await t.gql(
        `{ a: circularDeals { totalCount } b: circularDeals { totalCount } }`,
      );
      expect(two.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_SEARCHES', limit: 1 });
    } finally {
      await t.close();
    }
  });
});
