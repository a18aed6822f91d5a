/**
 * Writes that one read of the change log finds together (a server reading it every 1.5 s): a
 * deal recorded and deleted between two reads is told to a filtered subscriber both times (the
 * record matched as the deal was when deleted), and the circle two writes close together is
 * told once, caused by the write that closed it.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIVE_SETTINGS } from '../src/config.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';
import { liveClient, Recorder, until } from './support/liveClient.js';
import { liveWrites, type LiveWrites } from './support/liveWrites.js';

let t: TestServer;
let client: Client;
let w: LiveWrites;
beforeAll(async () => {
  t = await startTestServer({
    adminToken: ADMIN_TOKEN,
    config: { live: { ...DEFAULT_LIVE_SETTINGS, pollMs: 1_500 } },
  });
  client = liveClient(t.url);
  w = liveWrites(t);
});
afterAll(async () => {
  await client.dispose();
  await t.close();
});

interface DealData {
  dealEvents: { change: { dealId: string; kind: string } };
}
interface CycleData {
  cycleEvents: { kind: string; cycle: { key: string }; cause: { dealId: string } | null };
}

describe('writes read together', () => {
  it('tells a filtered subscriber a deal recorded and deleted between two reads', async () => {
    for (const id of ['b1-x', 'b1-y']) await w.company(id);
    const before = t.server.live.subscriptionCount();
    const events = new Recorder<DealData>(
      client,
      `subscription($where: DealFilter) { dealEvents(where: $where) { change { dealId kind } } }`,
      { where: { companyId: 'b1-x', minAmountUsd: 1e9 } },
    );
    await until(() => t.server.live.subscriptionCount() > before);
    await w.invest('b1-xy', 'b1-x', 'b1-y', 3e9);
    await w.deleteDeal('b1-xy');
    await w.invest('b1-small', 'b1-x', 'b1-y', 1e6); // too small: not told
    await events.waitFor(2);
    await t.server.live.caughtUp();
    expect(events.events.map((e) => e.dealEvents.change)).toEqual([
      { dealId: 'b1-xy', kind: 'RECORDED' },
      { dealId: 'b1-xy', kind: 'DELETED' },
    ]);
    events.unsubscribe();
  }, 120_000);

  it('tells the circle two writes close together once, caused by the one that closed it', async () => {
    for (const id of ['b2-a', 'b2-b']) await w.company(id);
    const before = t.server.live.subscriptionCount();
    const events = new Recorder<CycleData>(
      client,
      `subscription($where: CycleFilter) {
        cycleEvents(where: $where) { kind cycle { key } cause { dealId } }
      }`,
      { where: { through: ['b2-a'] } },
    );
    await until(() => t.server.live.subscriptionCount() > before);
    await w.invest('b2-inv', 'b2-a', 'b2-b', 2e9);
    await w.commit('b2-cloud', 'b2-b', 'b2-a', 1e9);
    await events.waitFor(1);
    await t.server.live.caughtUp();
    expect(events.events).toEqual([
      {
        cycleEvents: { kind: 'FORMED', cycle: { key: 'b2-a>b2-b' }, cause: { dealId: 'b2-cloud' } },
      },
    ]);
    events.unsubscribe();
  }, 120_000);
});
