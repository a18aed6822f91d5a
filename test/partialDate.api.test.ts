/**
 * A month-precision date is the whole month, over the API: in the time-respecting check and in
 * the deal filter of cycles alike. The graph: Nvidia invests in OpenAI, OpenAI buys from Oracle,
 * Oracle buys from Nvidia; the test re-dates the first deal, from its month to a day in it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

function graph(nvidiaOpenAi: string, openAiOracle: string) {
  const sources = [{ publisher: 'Test' }];
  return {
    formatVersion: 1,
    companies: [
      { id: 'nvidia', name: 'Nvidia' },
      { id: 'openai', name: 'OpenAI' },
      { id: 'oracle', name: 'Oracle' },
    ],
    investments: [
      {
        id: 'nvidia-openai',
        investorId: 'nvidia',
        investeeId: 'openai',
        amountUsd: 1e11,
        announcedOn: nvidiaOpenAi,
        status: 'LETTER_OF_INTENT',
        sources,
      },
    ],
    commitments: [
      {
        id: 'openai-oracle',
        customerId: 'openai',
        providerId: 'oracle',
        kind: 'CLOUD',
        amountUsd: 3e11,
        announcedOn: openAiOracle,
        status: 'ANNOUNCED',
        sources,
      },
      {
        id: 'oracle-nvidia',
        customerId: 'oracle',
        providerId: 'nvidia',
        kind: 'HARDWARE',
        amountUsd: 4e10,
        announcedOn: '2025-11',
        status: 'ANNOUNCED',
        sources,
      },
    ],
  };
}

const QUERY = `query($where: CycleFilter) {
  circularDeals(where: $where) { edges { node { key timeRespecting } } }
}`;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function cycles(where: Record<string, unknown> = {}) {
  const res = await t.gql<{
    circularDeals: { edges: { node: { key: string; timeRespecting: boolean } }[] };
  }>(QUERY, { where });
  expect(res.errors).toBeUndefined();
  return res.data!.circularDeals.edges.map((e) => e.node);
}

describe('a month-precision date is the whole month', () => {
  it('a day within the month keeps a time-respecting cycle time-respecting', async () => {
    await t.load(graph('2025-09', '2025-10'));
    expect(await cycles()).toEqual([{ key: 'nvidia>openai>oracle', timeRespecting: true }]);
    for (const day of ['2025-09-01', '2025-09-22', '2025-09-30']) {
      await t.load(graph(day, '2025-10'));
      expect(await cycles(), day).toEqual([{ key: 'nvidia>openai>oracle', timeRespecting: true }]);
    }
  });

  it('a month and a day within it have no known order; the precise date can settle it', async () => {
    await t.load(graph('2025-09', '2025-09-10'));
    expect(await cycles()).toEqual([{ key: 'nvidia>openai>oracle', timeRespecting: false }]);
    expect(await cycles({ timeRespecting: true })).toEqual([]);

    await t.load(graph('2025-09-05', '2025-09-10'));
    expect(await cycles({ timeRespecting: true })).toEqual([
      { key: 'nvidia>openai>oracle', timeRespecting: true },
    ]);
    await t.load(graph('2025-09-22', '2025-09-10'));
    expect(await cycles({ timeRespecting: true })).toEqual([]);
  });

  it('a deal known to the month passes a window only when its whole month lies in it', async () => {
    await t.load(graph('2025-09', '2025-10'));
    expect(await cycles({ deals: { to: '2025-09-15' } })).toEqual([]);
    expect(await cycles({ deals: { from: '2025-09-15' } })).toEqual([]);
    expect(await cycles({ deals: { from: '2025-09', to: '2025-11' } })).toHaveLength(1);
    expect(await cycles({ deals: { from: '2025-09-01', to: '2025-11-30' } })).toHaveLength(1);
    expect(await cycles({ deals: { to: '2025-11-29' } })).toEqual([]);

    // Dated to a day inside the window, the same deal passes.
    await t.load(graph('2025-09-10', '2025-10'));
    expect(await cycles({ deals: { to: '2025-11-30' } })).toHaveLength(1);
    expect(await cycles({ deals: { from: '2025-09-10', to: '2025-11' } })).toHaveLength(1);
  });
});
