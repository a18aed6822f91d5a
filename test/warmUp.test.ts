/**
 * The server's warm-up request (src/warmUp.ts) runs the fixed statements a client's first requests
 * need, so that Neo4j has planned them before any client asks: after it, a new selection shape is
 * answered by statements that have all run before (its own read-ahead statement is planned in the
 * background, and used from the next request on).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAheadPlanned } from '../src/stores/selectionStore.js';
import { WARM_UP_DOCUMENT, warmUp } from '../src/warmUp.js';
import { commitment, company, dataset, investment } from './fixtures/dataset.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let recording: string[] | null = null;
beforeAll(async () => {
  t = await startTestServer();
  await t.load(
    dataset({
      companies: [
        company('amazon', 'Amazon'),
        company('aws', 'Amazon Web Services', { parentId: 'amazon' }),
        company('anthropic', 'Anthropic'),
      ],
      investments: [investment('amazon-anthropic', 'amazon', 'anthropic', { amountUsd: 4e9 })],
      commitments: [commitment('anthropic-aws', 'anthropic', 'aws', { amountUsd: 1e10 })],
    }),
  );
  t.db.observe((name) => recording?.push(name));
});
afterAll(() => t.close());

async function statementsOf(run: () => Promise<unknown>): Promise<Set<string>> {
  recording = [];
  try {
    await run();
    await readAheadPlanned();
    return new Set(recording);
  } finally {
    recording = null;
  }
}

/** Company pages selecting different scalars and parts: each a new shape. */
const SHAPES = [
  `{ companies(first: 10) { edges { node { id name parent { id name } totals { investedUsd } } } } }`,
  `{ companies(first: 10) { edges { node { id country subsidiaries { id } investmentsMade(first: 5) { totalCount edges { node { id amountUsd investee { id name } } } } } } } }`,
  `{ companies(first: 10) { edges { node { id website ultimateParent { id } commitmentsMade(first: 5) { edges { node { id kind provider { id parent { id } } } } } } } } }`,
  `{ companies(first: 10) { edges { node { id aliases sectors investmentsReceived(first: 5) { edges { node { id announcedOn investor { id } sources { publisher } } } } commitmentsReceived(first: 5) { totalCount } } } } }`,
  `{ deals(first: 10) { edges { node { id amountUsd from { name } to { id } sources { url } } } } }`,
  `{ company(id: "aws") { id name parent { id } } }`,
];

describe('the warm-up request', () => {
  it('runs every statement the first requests of new shapes then run', async () => {
    const warm = await statementsOf(() => warmUp(t.url));
    expect(warm.size).toBeGreaterThan(8);
    for (const query of SHAPES) {
      const seen = await statementsOf(async () => {
        const res = await t.gql(query);
        expect(res.errors, query).toBeUndefined();
      });
      // The read-ahead of the new shape, planned in the background, is the only new statement.
      const fresh = [...seen].filter((name) => !warm.has(name) && !name.includes(':selected'));
      expect(fresh, query).toEqual([]);
    }
  });
  it('is valid and within the limits, and answers (with its read-ahead now)', async () => {
    const res = await t.gql(WARM_UP_DOCUMENT);
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({ companies: { totalCount: 3 }, deals: { totalCount: 2 } });
  });
});
