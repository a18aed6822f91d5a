/**
 * A cycle count past its time limit fails `totalCount` alone (QUERY_TIMEOUT, with the field's
 * path), and everything else of the response still comes. The server here gives counts 1 ms
 * (CYCLE_COUNT_TIMEOUT_MS) and lists cycles under the ordinary limit; the graph is the complete
 * graph on 11 companies, whose cycles of up to 8 companies number in the millions (831,600 of
 * length 8 alone), far past what any count does in 1 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const ids = Array.from({ length: 11 }, (_, i) => `k${String(i).padStart(2, '0')}`);
const sources = [{ publisher: 'Test' }];
const COMPLETE = {
  formatVersion: 1,
  companies: ids.map((id) => ({ id, name: id.toUpperCase() })),
  investments: ids.flatMap((from) =>
    ids
      .filter((to) => to !== from)
      .map((to) => ({
        id: `i-${from}-${to}`,
        investorId: from,
        investeeId: to,
        amountUsd: 1e9,
        announcedOn: '2025-01',
        status: 'ANNOUNCED',
        sources,
      })),
  ),
  commitments: [],
};

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    cycleLimits: { timeoutMs: 20_000, resultCap: 10_000, countTimeoutMs: 1 },
  });
  await t.load(COMPLETE);
});
afterAll(() => t.close());

type Errors = { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];

describe('a count past its time limit', () => {
  it('fails totalCount alone: the connection and its other fields stay', async () => {
    const res = await t.gql<{ circularDeals: { totalCount: number | null; __typename: string } }>(
      `{ circularDeals(where: { mix: ANY, maxLength: 8 }) { totalCount __typename } }`,
    );
    const errors = res.errors as Errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: ['circularDeals', 'totalCount'],
      extensions: { code: 'QUERY_TIMEOUT' },
    });
    expect(res.data).toEqual({
      circularDeals: { totalCount: null, __typename: 'DealCycleConnection' },
    });
  });

  it('leaves the company and the rest of the response in place', async () => {
    const res = await t.gql<{
      company: { name: string; cycles: { totalCount: number | null } };
      companies: { totalCount: number };
    }>(`{
      company(id: "k00") { name cycles(where: { mix: ANY, maxLength: 8 }) { totalCount } }
      companies { totalCount }
    }`);
    const errors = res.errors as Errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: ['company', 'cycles', 'totalCount'],
      extensions: { code: 'QUERY_TIMEOUT' },
    });
    expect(res.data).toEqual({
      company: { name: 'K00', cycles: { totalCount: null } },
      companies: { totalCount: 11 },
    });
  });

  it('a page with its cycles still comes; its total is exact or fails alone', async () => {
    // Ten 2-cycles through k00. A page that found every cycle knows the total (10); a ranked
    // page that did not counts it, which fails here, and only that field.
    const res = await t.gql<{
      circularDeals: { totalCount: number | null; edges: { node: { id: string } }[] };
    }>(`{
      circularDeals(where: { mix: ANY, maxLength: 2, through: ["k00"] }, first: 3) {
        totalCount edges { node { id } }
      }
    }`);
    expect(res.data!.circularDeals.edges.map((e) => e.node.id)).toEqual([
      'k00>k01',
      'k00>k02',
      'k00>k03',
    ]);
    if (res.data!.circularDeals.totalCount === null) {
      expect(res.errors as Errors).toHaveLength(1);
      expect((res.errors as Errors)[0]).toMatchObject({
        path: ['circularDeals', 'totalCount'],
        extensions: { code: 'QUERY_TIMEOUT' },
      });
    } else {
      expect(res.errors).toBeUndefined();
      expect(res.data!.circularDeals.totalCount).toBe(10);
    }
  });
});
