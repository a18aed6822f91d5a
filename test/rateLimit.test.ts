/**
 * Per-client rate limits: a client is its bearer token, else its address; a request costs one
 * point plus one per `costUnit` of its estimated cost. Past the budget: 429, Retry-After and
 * RATE_LIMITED, while other clients are served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const POINTS = 8;
const COST_UNIT = 10;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    adminToken: 'rate-limit-admin-token-0123',
    config: { rateLimits: { points: POINTS, windowSeconds: 60, costUnit: COST_UNIT } },
  });
  await t.load({
    formatVersion: 1,
    companies: [
      { id: 'anthropic', name: 'Anthropic' },
      { id: 'amazon', name: 'Amazon' },
    ],
    investments: [],
    commitments: [],
  });
});
afterAll(() => t.close());

async function post(
  query: string,
  token?: string,
): Promise<{ status: number; retryAfter: string | null; codes: unknown[] }> {
  const response = await fetch(t.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    codes: (body.errors ?? []).map((e) => e.extensions?.code),
  };
}

const LOOKUP = '{ company(id: "anthropic") { id } }';

describe('rate limits', () => {
  it('a burst from one client gets 429 with Retry-After while another client is served', async () => {
    const burst = [];
    for (let i = 0; i < POINTS + 3; i += 1) burst.push(await post(LOOKUP, 'client-one-token'));
    const served = burst.filter((r) => r.status === 200 && r.codes.length === 0);
    const refused = burst.filter((r) => r.status === 429);
    expect(served.length).toBe(POINTS);
    expect(refused.length).toBe(3);
    for (const r of refused) {
      expect(r.codes).toEqual(['RATE_LIMITED']);
      expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Another client (another token) has a budget of its own.
    const other = await post(LOOKUP, 'client-two-token');
    expect(other).toMatchObject({ status: 200, codes: [] });
  });

  it('an expensive request costs more points than a lookup', async () => {
    // A page of 20 companies with nested pages is estimated far above COST_UNIT: it alone is
    // over the budget of a fresh client, while lookups from that client pass.
    const expensive = `{ companies(first: 20) { edges { node { id name
      investmentsMade(first: 20) { edges { node { id } } } } } } }`;
    const refused = await post(expensive, 'client-three-token');
    expect(refused.status).toBe(429);
    expect(refused.codes).toEqual(['RATE_LIMITED']);
    expect((await post(LOOKUP, 'client-three-token')).status).toBe(200);
  });
});
