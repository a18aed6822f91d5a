/**
 * Company search text is capped in characters and words, with BAD_USER_INPUT naming the field:
 * every word becomes a clause of one Lucene query, and a 1,500-word search used to reach
 * Lucene's clause limit and answer INTERNAL_SERVER_ERROR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEARCH_CHARS, MAX_SEARCH_WORDS } from '../src/resolvers/args.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
  await t.load({
    formatVersion: 1,
    companies: [{ id: 'amazon-web-services', name: 'Amazon Web Services', aliases: ['AWS'] }],
  });
});
afterAll(() => t.close());

/** Both ways a company page is read: the plain list, and the read-ahead of nested fields. */
const QUERIES = [
  `query($search: String) { companies(where: { search: $search }) { edges { node { id } } } }`,
  `query($search: String) { companies(where: { search: $search }) { edges { node { id parent { id } } } } }`,
];

async function search(text: string, query = QUERIES[0]!) {
  return t.gql<{ companies: { edges: { node: { id: string } }[] } }>(query, { search: text });
}

describe('company search input', () => {
  it(`passes ${MAX_SEARCH_WORDS} words`, async () => {
    const words = ['amazon', 'web', 'services', ...Array(MAX_SEARCH_WORDS - 3).fill('a')];
    for (const query of QUERIES) {
      const res = await search(words.join(' '), query);
      expect(res.errors).toBeUndefined();
      expect(res.data!.companies.edges.map((e) => e.node.id)).toEqual(['amazon-web-services']);
    }
  });

  it('refuses a 1,500-word search with BAD_USER_INPUT, not an internal error', async () => {
    const text = Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ');
    for (const query of QUERIES) {
      const res = await search(text, query);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.problems).toEqual([
        { field: 'where.search', message: expect.stringContaining(`${MAX_SEARCH_CHARS}`) },
      ]);
    }
  });

  it(`refuses more than ${MAX_SEARCH_WORDS} words, naming the cap`, async () => {
    const res = await search(
      Array(MAX_SEARCH_WORDS + 1)
        .fill('ab')
        .join(' '),
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toBe(
      `where.search: has ${MAX_SEARCH_WORDS + 1} words; at most ${MAX_SEARCH_WORDS} are allowed`,
    );
  });

  it(`refuses more than ${MAX_SEARCH_CHARS} characters, even in few words`, async () => {
    const res = await search('a'.repeat(MAX_SEARCH_CHARS + 1));
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain(`at most ${MAX_SEARCH_CHARS}`);
  });
});
