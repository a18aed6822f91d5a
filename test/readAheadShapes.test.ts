/**
 * The read-ahead builds one statement text per selection shape, which Neo4j plans and caches in
 * the plan cache it shares with the cycle searches. A budget of distinct shapes keeps clients from
 * flooding that cache: past it, a new shape is served by the per-field loaders (fixed statements),
 * with the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_READ_AHEAD_SHAPES,
  admitShape,
  admittedShapeCount,
  type CompanySelection,
} from '../src/stores/selectionStore.js';
import { startTestServer, type TestServer } from './support/harness.js';

/** A selection `depth` parents deep, with the given scalars at the top. */
function parents(depth: number, scalars: string[] = []): CompanySelection {
  let selection: CompanySelection = { scalars: new Set(), parts: [] };
  for (let i = 0; i < depth; i++)
    selection = {
      scalars: new Set(),
      parts: [{ alias: `p${i}`, kind: 'parent', company: selection }],
    };
  return { ...selection, scalars: new Set(scalars) as CompanySelection['scalars'] };
}

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load({
    formatVersion: 1,
    companies: [
      { id: 'amazon', name: 'Amazon' },
      { id: 'amazon-web-services', name: 'Amazon Web Services', parentId: 'amazon' },
    ],
  });
});
afterAll(() => t.close());

describe('the read-ahead shape budget', () => {
  it('admits a shape once whatever its aliases, and no new one past the budget', async () => {
    expect(admitShape('companies', parents(1, ['name']))).toBe(true);
    const admitted = admittedShapeCount();
    // Another alias: the same shape.
    const renamed = parents(1, ['name']);
    renamed.parts[0]!.alias = 'boss';
    expect(admitShape('companies', renamed)).toBe(true);
    expect(admittedShapeCount()).toBe(admitted);

    for (let depth = 2; admittedShapeCount() < MAX_READ_AHEAD_SHAPES; depth++)
      expect(admitShape('companies', parents(depth))).toBe(true);
    expect(admitShape('company', parents(1))).toBe(false);
    expect(admitShape('companies', parents(1, ['name']))).toBe(true); // known shapes still are
    expect(admittedShapeCount()).toBe(MAX_READ_AHEAD_SHAPES);
  });

  it('past the budget, a new shape is answered the same, by the loaders', async () => {
    expect(admittedShapeCount()).toBe(MAX_READ_AHEAD_SHAPES);
    const res = await t.gql<{
      companies: { edges: { node: { id: string; up: { name: string } | null } }[] };
    }>(
      `{ companies(orderBy: { field: NAME }) { edges { node { id up: parent { name } subsidiaries { id } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.companies.edges.map((e) => e.node)).toEqual([
      { id: 'amazon', up: null, subsidiaries: [{ id: 'amazon-web-services' }] },
      { id: 'amazon-web-services', up: { name: 'Amazon' }, subsidiaries: [] },
    ]);
  });
});
