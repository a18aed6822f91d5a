/**
 * `circularDeals { totalCount }` counts the cycles in Neo4j without listing them, so it answers
 * past the result cap; the shortcut is recognised from the resolved selection, so it works the
 * same when the total is asked for through a named fragment (as Relay writes every query) or an
 * inline one. The server here has a result cap of 1 and the graph two cycles: listing them is
 * refused, counting them is not.
 *
 *   a -> b (investment), b -> a (commitment): a>b
 *   a -> c (investment), c -> a (commitment): a>c
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const sources = [{ publisher: 'Test' }];
const deal = (id: string, from: string, to: string) => ({
  id,
  investorId: from,
  investeeId: to,
  amountUsd: 1e9,
  announcedOn: '2025-01',
  status: 'ANNOUNCED',
  sources,
});
const commitment = (id: string, from: string, to: string) => ({
  id,
  customerId: from,
  providerId: to,
  kind: 'CLOUD',
  amountUsd: 1e9,
  announcedOn: '2025-02',
  status: 'ANNOUNCED',
  sources,
});

const GRAPH = {
  formatVersion: 1,
  companies: ['a', 'b', 'c'].map((id) => ({ id, name: id.toUpperCase() })),
  investments: [deal('i-a-b', 'a', 'b'), deal('i-a-c', 'a', 'c')],
  commitments: [commitment('c-b-a', 'b', 'a'), commitment('c-c-a', 'c', 'a')],
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ cycleLimits: { timeoutMs: 20_000, resultCap: 1 } });
  await t.load(GRAPH);
});
afterAll(() => t.close());

async function total(query: string): Promise<unknown> {
  const res = await t.gql<{ circularDeals: { totalCount: number } }>(query);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.circularDeals.totalCount;
}

describe('counting cycles without listing them', () => {
  // A first page is ranked without listing every cycle (cycleStore cyclePage); `last` needs the
  // whole sorted list, so it lists every cycle.
  it('listing two cycles (the last page: every cycle, sorted) is past the cap of one', async () => {
    const res = await t.gql(`{ circularDeals(last: 2) { totalCount edges { node { id } } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('RESULT_LIMIT_EXCEEDED');
  });

  it('the total alone is counted', async () => {
    expect(await total(`{ circularDeals { totalCount __typename } }`)).toBe(2);
  });

  it('the total through a named fragment is counted', async () => {
    expect(
      await total(`
        query Cycles { circularDeals { ...CycleCount } }
        fragment CycleCount on DealCycleConnection { totalCount }`),
    ).toBe(2);
  });

  it('the total through nested named fragments and an inline fragment is counted', async () => {
    expect(
      await total(`
        query Cycles { circularDeals { ... on DealCycleConnection { ...Outer } } }
        fragment Outer on DealCycleConnection { ...Inner __typename }
        fragment Inner on DealCycleConnection { totalCount }`),
    ).toBe(2);
  });

  it('a fragment that selects the cycles lists them (and meets the cap)', async () => {
    const res = await t.gql(`
      query Cycles { circularDeals(last: 2) { totalCount ...Listed } }
      fragment Listed on DealCycleConnection { edges { node { id } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('RESULT_LIMIT_EXCEEDED');
  });

  it('fields skipped with @skip do not make it a listing', async () => {
    expect(
      await total(`{ circularDeals { totalCount edges @skip(if: true) { node { id } } } }`),
    ).toBe(2);
  });

  it('Company.cycles through a fragment is counted too', async () => {
    const res = await t.gql<{ company: { cycles: { totalCount: number } } }>(`
      { company(id: "a") { cycles { ...Count } } }
      fragment Count on DealCycleConnection { totalCount }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.company.cycles.totalCount).toBe(2);
  });
});
