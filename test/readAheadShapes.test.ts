/**
 * The read-ahead builds one statement text per selection shape (which fields, nested how), which
 * Neo4j plans the first time it runs, in a second or more on a small machine. No request waits for
 * that: a new shape is answered by the per-field loaders (fixed statements) while its statement is
 * planned in the background, and read ahead in one query from then on. A budget of distinct
 * shapes keeps clients from flooding the plan cache it shares with the cycle searches: past it, a
 * new shape stays with the loaders, with the same answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_READ_AHEAD_SHAPES,
  readAheadPlanned,
  readAheadShapeCount,
} from '../src/stores/selectionStore.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let recording: string[] | null = null;
beforeAll(async () => {
  t = await startTestServer();
  await t.load({
    formatVersion: 1,
    companies: [
      { id: 'amazon', name: 'Amazon' },
      { id: 'amazon-web-services', name: 'Amazon Web Services', parentId: 'amazon' },
    ],
  });
  t.db.observe((name) => recording?.push(name));
});
afterAll(() => t.close());

/** The response to `query` and the names of the Neo4j queries made while answering it. */
async function answer(query: string): Promise<{ data: unknown; queries: string[] }> {
  recording = [];
  try {
    const res = await t.gql(query);
    expect(res.errors).toBeUndefined();
    return { data: res.data, queries: recording };
  } finally {
    recording = null;
  }
}

/** A company page selecting `parent` `depth` levels deep. */
function parents(depth: number, alias = 'up'): string {
  let inner = 'id';
  for (let i = 0; i < depth; i++) inner = `id ${alias}: parent { ${inner} }`;
  return `{ companies(orderBy: { field: NAME }) { edges { node { ${inner} name } } } }`;
}

const SCALARS = ['name', 'aliases', 'sectors', 'country', 'website'];
/** The i-th of 64 distinct shapes: the scalars picked by the bits of i, a parent or not. */
function shape(i: number): string {
  const scalars = SCALARS.filter((_, k) => (i >> k) & 1).join(' ');
  const parent = (i >> 5) & 1 ? 'parent { id }' : '';
  return `{ companies(first: 1) { edges { node { id ${scalars} ${parent} } } } }`;
}

const EXPECTED = {
  companies: {
    edges: [
      { node: { id: 'amazon', up: null, name: 'Amazon' } },
      { node: { id: 'amazon-web-services', up: { id: 'amazon' }, name: 'Amazon Web Services' } },
    ],
  },
};

describe('the read-ahead of a new selection shape', () => {
  it('answers from the loaders while Neo4j plans its statement, then in one query', async () => {
    const first = await answer(parents(1));
    expect(first.data).toEqual(EXPECTED);
    // The loaders answered (the page, then the parents); the read-ahead ran in the background.
    expect(first.queries).toContain('companies:all:NAME_ASC');
    expect(first.queries).toContain('companiesByIds');
    await readAheadPlanned();

    const second = await answer(parents(1));
    expect(second.data).toEqual(EXPECTED);
    expect(second.queries).toEqual(['companies:selected:all:NAME_ASC']);
    // Another alias is the same statement: read ahead at once.
    const renamed = await answer(parents(1, 'boss'));
    expect(renamed.queries).toEqual(['companies:selected:all:NAME_ASC']);
    expect(renamed.data).toEqual(JSON.parse(JSON.stringify(EXPECTED).replaceAll('"up"', '"boss"')));
  });

  it('plans no new shape past the budget, and answers it the same from the loaders', async () => {
    for (let i = 0; readAheadShapeCount() < MAX_READ_AHEAD_SHAPES; i++) {
      await answer(shape(i));
      await readAheadPlanned();
    }
    const shapes = readAheadShapeCount();
    expect(shapes).toBe(MAX_READ_AHEAD_SHAPES);

    const query = `{ companies(orderBy: { field: NAME }) { edges { node { id up: parent { name } subsidiaries { id } } } } }`;
    for (let i = 0; i < 2; i++) {
      const past = await answer(query);
      await readAheadPlanned();
      expect(past.queries).not.toContain('companies:selected:all:NAME_ASC');
      expect(past.data).toEqual({
        companies: {
          edges: [
            { node: { id: 'amazon', up: null, subsidiaries: [{ id: 'amazon-web-services' }] } },
            { node: { id: 'amazon-web-services', up: { name: 'Amazon' }, subsidiaries: [] } },
          ],
        },
      });
    }
    expect(readAheadShapeCount()).toBe(shapes);
    // Known shapes still are read ahead.
    expect((await answer(parents(1))).queries).toEqual(['companies:selected:all:NAME_ASC']);
  });
});
