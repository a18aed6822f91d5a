import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { company, commitment, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 * GraphQL's resilience rule: a root field that can fail on its own is nullable, so its error
 * leaves the other fields' data in place.
 *
 *   Amazon ==I1==> Anthropic ==C1==> Amazon      (one cycle)
 *   Nvidia ==I2==> OpenAI
 */
const GRAPH = dataset({
  companies: [
    company('amazon', 'Amazon'),
    company('anthropic', 'Anthropic'),
    company('openai', 'OpenAI'),
    company('nvidia', 'Nvidia'),
  ],
  investments: [
    investment('i1', 'amazon', 'anthropic', { amountUsd: 4e9, announcedOn: '2023-09' }),
    investment('i2', 'nvidia', 'openai', { amountUsd: 1e8, announcedOn: '2024-01' }),
  ],
  commitments: [commitment('c1', 'anthropic', 'amazon', { amountUsd: 1e9 })],
});

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t?.close());

describe('one failing field leaves its siblings', () => {
  it("keeps the company when the relationship graph fails (the issue's example)", async () => {
    const res = await t.gql<{ a: { id: string } | null; g: unknown }>(`{
      a: company(id: "openai") { id }
      g: relationshipGraph(companyIds: ["nope"]) { nodes { id } }
    }`);
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ a: { id: 'openai' }, g: null });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.path).toEqual(['g']);
    expect(res.errors![0]!.extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps every other root field when list and flow fields fail on bad arguments', async () => {
    const res = await t.gql<Record<string, unknown>>(`{
      cycles: circularDeals { totalCount edges { node { key } } }
      badCycles: circularDeals(where: { maxLength: 99 }) { totalCount }
      badPaths: moneyPaths(from: "nvidia", to: "nvidia") { totalCount }
      badCompanies: companies(first: 1000) { totalCount }
      badDeals: deals(first: -1) { totalCount }
      deals(first: 1, orderBy: { field: ID, direction: ASC }) { edges { node { id } } }
    }`);
    expect(res.data).toEqual({
      cycles: { totalCount: 1, edges: [{ node: { key: 'amazon>anthropic' } }] },
      badCycles: null,
      badPaths: null,
      badCompanies: null,
      badDeals: null,
      deals: { edges: [{ node: { id: 'c1' } }] },
    });
    expect(res.errors!.map((e) => [e.path, e.extensions?.code]).sort()).toEqual(
      [
        [['badCompanies'], 'BAD_USER_INPUT'],
        [['badCycles'], 'BAD_USER_INPUT'],
        [['badDeals'], 'BAD_USER_INPUT'],
        [['badPaths'], 'BAD_USER_INPUT'],
      ].sort(),
    );
  });

  it('keeps the company when its cycles fail, and the graph when its cycles fail', async () => {
    const res = await t.gql<{
      company: { name: string; cycles: unknown } | null;
      relationshipGraph: { nodes: unknown[]; cycles: unknown } | null;
    }>(`{
      company(id: "amazon") { name cycles(where: { minLength: 5, maxLength: 3 }) { totalCount } }
      relationshipGraph(companyIds: ["amazon"]) { nodes { companyId } cycles(maxLength: 7) { key } }
    }`);
    expect(res.data?.company).toEqual({ name: 'Amazon', cycles: null });
    expect(res.data?.relationshipGraph?.nodes).toHaveLength(2);
    expect(res.data?.relationshipGraph?.cycles).toBeNull();
    expect(res.errors!.map((e) => e.path)).toEqual(
      expect.arrayContaining([
        ['company', 'cycles'],
        ['relationshipGraph', 'cycles'],
      ]),
    );
  });

  it('keeps the results of the mutations that passed beside one that was refused', async () => {
    const res = await t.gql<{ ok: { id: string } | null; bad: unknown }>(`mutation {
      ok: upsertCompany(input: { id: "mistral", name: "Mistral AI" }) { id }
      bad: upsertCompany(input: { id: "Not A Slug", name: "x" }) { id }
    }`);
    expect(res.data).toEqual({ ok: { id: 'mistral' }, bad: null });
    expect(res.errors![0]!.path).toEqual(['bad']);
    expect(res.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
