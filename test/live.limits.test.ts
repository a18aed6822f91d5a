/**
 * Resuming and limits of live events: a client that reconnects with the cursor of the last event
 * it saw gets what it missed, then live events; bad and expired cursors, too many subscriptions
 * on a connection, too many connections, documents past the query limits, queries over WebSocket
 * and a consumer that falls behind are refused with stable codes.
 */
import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_SETTINGS, DEFAULT_QUERY_LIMITS } from '../src/config.js';
import { startTestServer, ADMIN_TOKEN, type TestServer } from './support/harness.js';
import { liveClient, Recorder, until } from './support/liveClient.js';
import { liveWrites, type LiveWrites } from './support/liveWrites.js';

let t: TestServer;
const clients: Client[] = [];
const closes: number[] = [];

/** A client of `t` whose close codes are recorded. */
function connect(server: TestServer = t): Client {
  const client = liveClient(server.url, {
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  t = await startTestServer({
    adminToken: ADMIN_TOKEN,
    config: {
      live: {
        ...DEFAULT_LIVE_SETTINGS,
        maxSubscriptionsPerConnection: 2,
        maxConnections: 3,
        maxQueuedEvents: 1,
      },
      limits: { ...DEFAULT_QUERY_LIMITS, maxDepth: 6 },
    },
  });
  ({ company, invest, commit, deleteDeal } = liveWrites(t));
});
// Each test starts with no connection open (the limit on connections counts them all).
afterEach(async () => {
  for (const c of clients.splice(0)) await c.dispose();
  await until(() => t.server.live.connectionCount() === 0);
});
afterAll(() => t.close());

let company: LiveWrites['company'];
let invest: LiveWrites['invest'];
let commit: LiveWrites['commit'];
let deleteDeal: LiveWrites['deleteDeal'];

const DEALS = `subscription($where: DealFilter, $after: String) {
  dealEvents(where: $where, after: $after) { cursor change { dealId kind } } }`;
const CYCLES = `subscription($where: CycleFilter, $after: String) {
  cycleEvents(where: $where, after: $after) { cursor kind cycle { key } } }`;
interface DealData {
  dealEvents: { cursor: string; change: { dealId: string; kind: string } };
}
interface CycleData {
  cycleEvents: { cursor: string; kind: string; cycle: { key: string } };
}

async function served(n: number): Promise<void> {
  await until(() => t.server.live.subscriptionCount() === n);
}

describe('resuming with `after`', () => {
  it('sends the deal events missed while disconnected, in order, then live ones', async () => {
    for (const id of ['r1-a', 'r1-b']) await company(id);
    const first = connect();
    const before = new Recorder<DealData>(first, DEALS, { where: { companyId: 'r1-a' } });
    await served(1);
    await invest('r1-1', 'r1-a', 'r1-b', 1e9);
    const [seen] = await before.waitFor(1);
    await first.dispose();
    await served(0);
    // Missed: written while no one listened.
    await invest('r1-2', 'r1-a', 'r1-b', 2e9);
    await deleteDeal('r1-1');
    const again = new Recorder<DealData>(connect(), DEALS, {
      where: { companyId: 'r1-a' },
      after: seen!.dealEvents.cursor,
    });
    await again.waitFor(2);
    await served(1);
    await invest('r1-3', 'r1-a', 'r1-b', 3e9); // live again
    await again.waitFor(3);
    await t.server.live.caughtUp();
    expect(
      again.events.map((e) => `${e.dealEvents.change.kind} ${e.dealEvents.change.dealId}`),
    ).toEqual(['RECORDED r1-2', 'DELETED r1-1', 'RECORDED r1-3']);
    again.unsubscribe();
    await served(0);
  }, 180_000);

  it('sends the cycle events missed while disconnected from the same server', async () => {
    for (const id of ['r2-a', 'r2-b']) await company(id);
    const first = connect();
    const before = new Recorder<CycleData>(first, CYCLES, { where: { through: ['r2-a'] } });
    await served(1);
    await invest('r2-inv', 'r2-a', 'r2-b', 1e9);
    await commit('r2-cloud', 'r2-b', 'r2-a', 1e9);
    const [formed] = await before.waitFor(1);
    await first.dispose();
    await served(0);
    await deleteDeal('r2-cloud'); // the cycle breaks while the client is away
    await t.server.live.caughtUp();
    const again = new Recorder<CycleData>(connect(), CYCLES, {
      where: { through: ['r2-a'] },
      after: formed!.cycleEvents.cursor,
    });
    await again.waitFor(1);
    expect(again.events.map((e) => `${e.cycleEvents.kind} ${e.cycleEvents.cycle.key}`)).toEqual([
      'BROKEN r2-a>r2-b',
    ]);
    again.unsubscribe();
    await served(0);
  }, 180_000);

  it('refuses a malformed cursor with BAD_USER_INPUT and a foreign one with CURSOR_EXPIRED', async () => {
    const client = connect();
    const bad = new Recorder<DealData>(client, DEALS, { after: 'not-a-cursor' });
    await bad.ended();
    expect(bad.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    // A cycle cursor names the watch that made it: another server's (or a restarted one's) is
    // refused, and the client starts again from circularDeals.
    const foreign = Buffer.from(JSON.stringify({ w: 'elsewhere', i: 3, s: 7 })).toString(
      'base64url',
    );
    const expired = new Recorder<CycleData>(client, CYCLES, {
      where: { through: ['r2-a'] },
      after: foreign,
    });
    await expired.ended();
    expect(expired.errors.map((e) => e.extensions?.code)).toEqual(['CURSOR_EXPIRED']);
  }, 180_000);
});

describe('limits', () => {
  it('refuses a subscription past LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION with TOO_MANY_SUBSCRIPTIONS', async () => {
    const client = connect();
    const kept = [1, 2].map(() => new Recorder<DealData>(client, DEALS, {}));
    await served(2);
    const third = new Recorder<DealData>(client, DEALS, {});
    await third.ended();
    expect(third.errors.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(kept.every((r) => !r.done)).toBe(true);
    for (const r of kept) r.unsubscribe();
    await served(0);
  }, 180_000);

  it('closes a connection past LIVE_MAX_CONNECTIONS with 4029', async () => {
    const open = [connect(), connect(), connect()];
    const held = open.map((c) => new Recorder<DealData>(c, DEALS, {}));
    await served(3);
    closes.length = 0;
    const extra = new Recorder<DealData>(connect(), DEALS, {});
    await extra.ended();
    expect(closes).toContain(4029);
    expect(held.every((r) => !r.done)).toBe(true);
    for (const r of held) r.unsubscribe();
    await served(0);
  }, 180_000);

  it('applies the query limits of HTTP, and runs only subscriptions', async () => {
    const client = connect();
    const deep = new Recorder(
      client,
      `subscription { cycleEvents { cycle { steps { deals { sources { publisher } } from { parent { parent { id } } } } } } }`,
    );
    await deep.ended();
    expect(deep.errors.map((e) => e.extensions?.code)).toEqual(['QUERY_TOO_DEEP']);
    const query = new Recorder(client, `{ companies { totalCount } }`);
    await query.ended();
    expect(query.errors.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    const invalid = new Recorder(client, `subscription { cycleEvents { nope } }`);
    await invalid.ended();
    expect(invalid.errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const badFilter = new Recorder(
      client,
      `subscription { cycleEvents(where: { maxLength: 9 }) { kind } }`,
    );
    await badFilter.ended();
    expect(badFilter.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  }, 180_000);

  it('disconnects a subscriber that lets events pile up with 4008, and writes go on', async () => {
    for (const id of ['s1-a', 's1-b']) await company(id);
    const client = connect();
    const slow = new Recorder<DealData>(client, DEALS, { where: { companyId: 's1-a' } });
    await served(1);
    closes.length = 0;
    // Three deals in one transaction reach the subscriber at once: past its queue of one.
    await t.db.writeTx(
      (tx) =>
        t.stores.deals.recordMany(
          tx,
          [1, 2, 3].map((i) => ({
            id: `s1-${i}`,
            type: 'INVESTMENT' as const,
            fromId: 's1-a',
            toId: 's1-b',
            amountUsd: i * 1e9,
            amountIsUpperBound: false,
            quantityValue: null,
            quantityUnit: null,
            announcedOn: null,
            announcedKey: null,
            status: 'ANNOUNCED' as const,
            instrument: null,
            kind: null,
            term: null,
            note: null,
            sources: [],
          })),
        ),
      'test:recordThree',
    );
    await slow.ended();
    expect(closes).toContain(4008);
    await invest('s1-4', 's1-a', 's1-b', 4e9);
  }, 180_000);
});
