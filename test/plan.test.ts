/**
 * No request within the limits waits for Neo4j's planner: the statements a cycle or path search
 * can run are a bounded, known set (one per kind, output and exact length), and `plan()` has
 * Neo4j plan all of them at start-up. This proves it against Neo4j itself: with its query
 * statistics collecting, every statement text the searches then run, over the API and in the
 * graph, is one `plan()` planned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allStatements, MAX_FLOW_LENGTH } from '../src/stores/cycleStore.js';
import { startTestServer, type TestServer } from './support/harness.js';

const sources = [{ publisher: 'Test' }];
/** a -> b -> c -> a and a <-> b, investments one way, commitments back. */
const GRAPH = {
  formatVersion: 1,
  companies: ['a', 'b', 'c', 'd'].map((id) => ({ id, name: id.toUpperCase() })),
  investments: [
    ['i-ab', 'a', 'b'],
    ['i-bc', 'b', 'c'],
  ].map(([id, from, to]) => ({
    id,
    investorId: from,
    investeeId: to,
    amountUsd: 1e9,
    announcedOn: '2025-01',
    status: 'ANNOUNCED',
    sources,
  })),
  commitments: [
    ['c-ca', 'c', 'a'],
    ['c-ba', 'b', 'a'],
    ['c-ad', 'a', 'd'],
  ].map(([id, from, to]) => ({
    id,
    customerId: from,
    providerId: to,
    kind: 'CLOUD',
    amountUsd: 1e9,
    announcedOn: '2025-02',
    status: 'ANNOUNCED',
    sources,
  })),
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(GRAPH);
});
afterAll(() => t.close());

/** The statement texts Neo4j has run since collection started, as sent (with `CYPHER 25`). */
async function seenStatements(): Promise<string[]> {
  const rows = await t.cypher(`CALL db.stats.retrieve('QUERIES') YIELD data RETURN data`);
  return rows.map((row) => (row.data as { query: string }).query);
}

/** Statement text as sent and as Neo4j's statistics show it (whitespace runs as one space). */
const normalise = (text: string): string =>
  text
    .replace(/^CYPHER 25\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();

describe('plan()', () => {
  it('plans a bounded set of distinct statements, through-company ones included, each once', async () => {
    const names = allStatements().map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    // Walks, ranked pages and counts: one per kind, output and exact length.
    expect(names.length).toBeLessThanOrEqual(200);
    for (let k = 2; k <= MAX_FLOW_LENGTH; k++) {
      expect(names).toContain(`cycles:through:walks:${k}`);
      expect(names).toContain(`cycleCounts:through:any:${k}`);
      expect(names).toContain(`cycleCounts:all:investmentsOnly:${k}`);
    }
    const started = performance.now();
    const planned = await t.stores.cycles.plan();
    console.log(
      `plan(): ${planned.length} statements in ${Math.round(performance.now() - started)} ms`,
    );
    expect([...planned].sort()).toEqual([...names].sort());
  }, 900_000);

  it('passes every search its parameters as one map, so one plan serves every filter', () => {
    // Neo4j caches a plan by text and parameter types: a filter given in one request and not in
    // the next would otherwise be planned again.
    for (const statement of allStatements()) {
      expect(statement.oneMap, statement.name).toBe(true);
      expect(statement.cypher.match(/\$(?!p\.)\w+/g), statement.name).toBeNull();
    }
  });

  it('covers every statement the searches then run', async () => {
    await t.stores.cycles.plan(); // planned already by the test above: moments
    await t.cypher(`CALL db.stats.clear('QUERIES')`);
    await t.cypher(`CALL db.stats.collect('QUERIES')`);
    try {
      // What plan() has Neo4j plan: the texts of its statements.
      const planned = new Set(allStatements().map((s) => normalise(s.cypher)));
      const searches = [
        `{ circularDeals(where: { maxLength: ${MAX_FLOW_LENGTH} }) { totalCount edges { node { key } } } }`,
        `{ circularDeals(where: { minLength: 3, maxLength: 5 }) { totalCount } }`,
        `{ circularDeals(where: { maxLength: 4, mix: ANY, timeRespecting: true }) { totalCount } }`,
        `{ circularDeals(where: { through: ["a", "c"], maxLength: 6 }) { edges { node { key } } } }`,
        `{ company(id: "b") { cycles(where: { maxLength: 7 }) { totalCount } } }`,
        `{ company(id: "b") { cycles(where: { maxLength: 3, deals: { minAmountUsd: 1 } }) { edges { node { key } } } } }`,
        `{ moneyPaths(from: "a", to: "d", maxLength: ${MAX_FLOW_LENGTH}) { totalCount } }`,
        `{ relationshipGraph(companyIds: ["a"], depth: 2) { cycles(maxLength: 6) { key } } }`,
      ];
      for (const query of searches) {
        const res = await t.gql(query);
        expect(res.errors, query).toBeUndefined();
      }
      const searchTexts = (await seenStatements())
        .map(normalise)
        // The searches: walks over FLOWS_TO with a step predicate, and the read of found flows.
        .filter((text) => text.includes(':FLOWS_TO WHERE') || text.includes('$p.flowIds'));
      expect(searchTexts.length).toBeGreaterThan(10);
      // Neo4j's statistics keep the first ~8.5 KB of a statement: a long one is seen truncated.
      const plannedTexts = [...planned];
      const unplanned = searchTexts.filter(
        (text) =>
          !planned.has(text) &&
          !(text.length > 4_000 && plannedTexts.some((p) => p.startsWith(text))),
      );
      expect(unplanned).toEqual([]);
    } finally {
      await t.cypher(`CALL db.stats.stop('QUERIES')`);
    }
  }, 900_000);
});
