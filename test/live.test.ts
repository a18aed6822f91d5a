/**
 * Live cycle events over GraphQL over WebSocket (graphql-ws client, real server, real Neo4j):
 * FORMED when a deal closes a circle, CHANGED when its figures change, BROKEN when a deal goes,
 * nothing for deals that close nothing, and the filters of `circularDeals`. Each test builds its
 * own companies (ids prefixed by the test) and listens through them, so tests do not hear each
 * other.
 */
import { readFileSync } from 'node:fs';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import { liveClient, Recorder, until } from './support/liveClient.js';
import { liveWrites, type LiveWrites } from './support/liveWrites.js';

let t: TestServer;
let client: Client;
beforeAll(async () => {
  t = await startTestServer();
  client = liveClient(t.url);
  ({ company, invest, commit, deleteDeal } = liveWrites(t));
});
afterAll(async () => {
  await client.dispose();
  await t.close();
});

export const CYCLE_EVENTS = `
  subscription Cycles($where: CycleFilter, $after: String) {
    cycleEvents(where: $where, after: $after) {
      cursor kind at
      cause { dealId kind type fromCompanyId toCompanyId version deal { id amountUsd } }
      cycle {
        id key length investedUsd committedUsd
        steps { from { id } to { id } deals { id amountUsd } }
      }
    }
  }`;

export interface CycleEventData {
  cycleEvents: {
    cursor: string;
    kind: 'FORMED' | 'CHANGED' | 'BROKEN';
    at: string;
    cause: {
      dealId: string;
      kind: string;
      type: string;
      fromCompanyId: string;
      toCompanyId: string;
      version: number;
      deal: { id: string; amountUsd: number | null } | null;
    } | null;
    cycle: {
      id: string;
      key: string;
      length: number;
      investedUsd: number;
      committedUsd: number;
      steps: {
        from: { id: string };
        to: { id: string };
        deals: { id: string; amountUsd: number | null }[];
      }[];
    };
  };
}

let company: LiveWrites['company'];
let invest: LiveWrites['invest'];
let commit: LiveWrites['commit'];
let deleteDeal: LiveWrites['deleteDeal'];

/** Subscribes and waits until the server serves the subscription (so later writes count). */
async function listen(where: Record<string, unknown>): Promise<Recorder<CycleEventData>> {
  const before = t.server.live.subscriptionCount();
  const recorder = new Recorder<CycleEventData>(client, CYCLE_EVENTS, { where });
  await until(() => t.server.live.subscriptionCount() > before || recorder.done);
  expect(recorder.errors).toEqual([]);
  return recorder;
}

const summary = (e: CycleEventData) => ({
  kind: e.cycleEvents.kind,
  key: e.cycleEvents.cycle.key,
  cause: e.cycleEvents.cause?.dealId,
});

describe('cycleEvents', () => {
  it('tells FORMED when a commitment to a subsidiary closes a two-company circle', async () => {
    await company('a1-amazon');
    await company('a1-aws', 'a1-amazon');
    await company('a1-anthropic');
    const events = await listen({ through: ['a1-amazon'] });
    await invest('a1-inv', 'a1-amazon', 'a1-anthropic', 4e9, '2023-09-25');
    // Each write is looked at before the next: an event is attributed to the first change whose
    // look finds it (a look that runs after later writes committed may find their cycles).
    await t.server.live.caughtUp();
    // Spending with AWS is spending with Amazon: the circle closes.
    await commit('a1-com', 'a1-anthropic', 'a1-aws', 1e9, '2024-03-01');
    const [formed] = await events.waitFor(1);
    expect(formed!.cycleEvents).toMatchObject({
      kind: 'FORMED',
      cause: {
        dealId: 'a1-com',
        kind: 'RECORDED',
        type: 'COMMITMENT',
        fromCompanyId: 'a1-anthropic',
        toCompanyId: 'a1-aws',
        version: 1,
        deal: { id: 'a1-com', amountUsd: 1e9 },
      },
      cycle: {
        id: 'a1-amazon>a1-anthropic',
        key: 'a1-amazon>a1-anthropic',
        length: 2,
        investedUsd: 4e9,
        committedUsd: 1e9,
      },
    });
    expect(Date.parse(formed!.cycleEvents.at)).not.toBeNaN();
    await t.server.live.caughtUp();
    expect(events.events).toHaveLength(1);
    events.unsubscribe();
  }, 180_000);

  it('tells FORMED for a three-company circle, and nothing for deals that close nothing', async () => {
    for (const id of ['b1-nvidia', 'b1-openai', 'b1-oracle', 'b1-microsoft']) await company(id);
    const events = await listen({ through: ['b1-openai'] });
    await invest('b1-inv', 'b1-nvidia', 'b1-openai', 1e11);
    await commit('b1-oracle-cloud', 'b1-openai', 'b1-oracle', 3e11);
    await invest('b1-msft', 'b1-microsoft', 'b1-openai', 1.3e10); // no money back to Microsoft
    await t.server.live.caughtUp(); // (see the first test)
    expect(events.events).toEqual([]);
    await commit('b1-chips', 'b1-oracle', 'b1-nvidia', 4e10);
    await events.waitFor(1);
    await t.server.live.caughtUp();
    expect(events.events.map(summary)).toEqual([
      { kind: 'FORMED', key: 'b1-nvidia>b1-openai>b1-oracle', cause: 'b1-chips' },
    ]);
    expect(events.events[0]!.cycleEvents.cycle.steps.map((s) => s.deals.map((d) => d.id))).toEqual([
      ['b1-inv'],
      ['b1-oracle-cloud'],
      ['b1-chips'],
    ]);
    events.unsubscribe();
  }, 180_000);

  it('tells CHANGED when an amount changes, and BROKEN on a delete while an overlapping cycle stays', async () => {
    for (const id of ['c1-amazon', 'c1-anthropic', 'c1-nvidia']) await company(id);
    await company('c1-aws', 'c1-amazon');
    await invest('c1-inv', 'c1-amazon', 'c1-anthropic', 4e9);
    await commit('c1-cloud', 'c1-anthropic', 'c1-aws', 1e9);
    await commit('c1-chips', 'c1-anthropic', 'c1-nvidia', 2e9);
    const events = await listen({ through: ['c1-anthropic'] });
    await t.server.live.caughtUp(); // the watch has its first search (see the first test)
    // Two cycles share the step amazon -> anthropic; the second closes through nvidia now.
    await commit('c1-gpu-cloud', 'c1-nvidia', 'c1-aws', 5e8);
    await events.waitFor(1);
    await t.server.live.caughtUp();
    await invest('c1-inv', 'c1-amazon', 'c1-anthropic', 8e9); // the amount doubles
    await events.waitFor(3);
    await t.server.live.caughtUp();
    await deleteDeal('c1-cloud');
    await events.waitFor(4);
    await t.server.live.caughtUp();
    const seen = events.events.map(summary);
    expect(seen[0]).toEqual({
      kind: 'FORMED',
      key: 'c1-amazon>c1-anthropic>c1-nvidia',
      cause: 'c1-gpu-cloud',
    });
    expect(seen.slice(1, 3).sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { kind: 'CHANGED', key: 'c1-amazon>c1-anthropic', cause: 'c1-inv' },
      { kind: 'CHANGED', key: 'c1-amazon>c1-anthropic>c1-nvidia', cause: 'c1-inv' },
    ]);
    expect(events.events[1]!.cycleEvents.cycle.investedUsd).toBe(8e9);
    expect(events.events[1]!.cycleEvents.cause).toMatchObject({ kind: 'CHANGED', version: 2 });
    // Only the circle through the deleted commitment breaks; the one through nvidia stays.
    expect(seen.slice(3)).toEqual([
      { kind: 'BROKEN', key: 'c1-amazon>c1-anthropic', cause: 'c1-cloud' },
    ]);
    const broken = events.events[3]!.cycleEvents;
    expect(broken.cause).toMatchObject({ kind: 'DELETED', deal: null });
    // The cycle as it last was, with the deleted deal still shown.
    expect(broken.cycle.steps.flatMap((s) => s.deals.map((d) => d.id)).sort()).toEqual([
      'c1-cloud',
      'c1-inv',
    ]);
    events.unsubscribe();
  }, 180_000);
});

describe('cycleEvents filters', () => {
  it('tell each subscriber exactly the cycles its filter selects, as circularDeals does', async () => {
    for (const id of ['f1-a', 'f1-b', 'f1-c']) await company(id);
    const filters: Record<string, Record<string, unknown>> = {
      all: { through: ['f1-a'] },
      short: { through: ['f1-a'], maxLength: 2 },
      throughC: { through: ['f1-c'] },
      big: { through: ['f1-a'], deals: { minAmountUsd: 1e9 } },
      inOrder: { through: ['f1-a'], timeRespecting: true },
    };
    const recorders: Record<string, Recorder<CycleEventData>> = {};
    for (const [name, where] of Object.entries(filters)) recorders[name] = await listen(where);
    // X = a>b, time-respecting, one step of $100M.
    await invest('f1-ab', 'f1-a', 'f1-b', 5e9, '2024-01-10');
    await commit('f1-ba', 'f1-b', 'f1-a', 1e8, '2024-06-10');
    // Y = a>c>b, through the same $100M step, dates going backwards around the loop.
    await invest('f1-ac', 'f1-a', 'f1-c', 3e9, '2024-02-01');
    await commit('f1-cb', 'f1-c', 'f1-b', 2e9, '2024-01-15');
    // Z = a>c, time-respecting, every deal at least $1B: every filter selects it.
    await commit('f1-ca', 'f1-c', 'f1-a', 2e9, '2024-03-01');
    // Writes read from the log in one poll are told together: Z's amount changed before its
    // FORMED was told would be told as FORMED with the new amount. So first Z everywhere...
    const told = (name: string, event: string) =>
      recorders[name]!.events.some(
        (e) => `${e.cycleEvents.kind} ${e.cycleEvents.cycle.key}` === event,
      );
    for (const name of Object.keys(filters))
      await until(() => told(name, 'FORMED f1-a>f1-c') || recorders[name]!.done);
    // ...then a change every filter sees (Z's amount): once it has come, everything before it has.
    await commit('f1-ca', 'f1-c', 'f1-a', 3e9, '2024-03-01');
    const last = (name: string) => recorders[name]!.events.at(-1)?.cycleEvents;
    for (const name of Object.keys(filters))
      await until(() => last(name)?.kind === 'CHANGED' || recorders[name]!.done);
    for (const name of Object.keys(filters))
      expect(last(name)).toMatchObject({ kind: 'CHANGED', cycle: { key: 'f1-a>f1-c' } });
    const formed = (name: string) =>
      recorders[name]!.events.slice(0, -1)
        .map((e) => `${e.cycleEvents.kind} ${e.cycleEvents.cycle.key}`)
        .sort();
    expect(formed('all')).toEqual([
      'FORMED f1-a>f1-b',
      'FORMED f1-a>f1-c',
      'FORMED f1-a>f1-c>f1-b',
    ]);
    expect(formed('short')).toEqual(['FORMED f1-a>f1-b', 'FORMED f1-a>f1-c']);
    expect(formed('throughC')).toEqual(['FORMED f1-a>f1-c', 'FORMED f1-a>f1-c>f1-b']);
    expect(formed('big')).toEqual(['FORMED f1-a>f1-c']);
    expect(formed('inOrder')).toEqual(['FORMED f1-a>f1-b', 'FORMED f1-a>f1-c']);
    // The same cycles, with the same ids, as circularDeals under each filter.
    for (const [name, where] of Object.entries(filters)) {
      const res = await t.gql<{ circularDeals: { edges: { node: { id: string } }[] } }>(
        `query($where: CycleFilter) { circularDeals(where: $where) { edges { node { id } } } }`,
        { where },
      );
      expect(res.errors).toBeUndefined();
      const ids = res.data!.circularDeals.edges.map((e) => e.node.id).sort();
      expect(
        recorders[name]!.events.slice(0, -1)
          .map((e) => e.cycleEvents.cycle.id)
          .sort(),
      ).toEqual(ids);
    }
    for (const r of Object.values(recorders)) r.unsubscribe();
  }, 180_000);
});

const DEAL_EVENTS = `
  subscription Deals($where: DealFilter, $after: String) {
    dealEvents(where: $where, after: $after) {
      cursor at
      change { dealId kind type fromCompanyId toCompanyId version deal { id amountUsd } }
    }
  }`;

interface DealEventData {
  dealEvents: {
    cursor: string;
    at: string;
    change: {
      dealId: string;
      kind: string;
      type: string;
      fromCompanyId: string;
      toCompanyId: string;
      version: number;
      deal: { id: string; amountUsd: number | null } | null;
    };
  };
}

describe('dealEvents', () => {
  it('tells recorded, changed and deleted deals that match the filter, now or before', async () => {
    for (const id of ['d1-x', 'd1-y', 'd1-z']) await company(id);
    const before = t.server.live.subscriptionCount();
    const events = new Recorder<DealEventData>(client, DEAL_EVENTS, {
      where: { companyId: 'd1-x', minAmountUsd: 1e9 },
    });
    await until(() => t.server.live.subscriptionCount() > before);
    await invest('d1-xy', 'd1-x', 'd1-y', 2e9);
    // The deal as it is when the event is sent.
    expect((await events.waitFor(1))[0]!.dealEvents.change.deal).toEqual({
      id: 'd1-xy',
      amountUsd: 2e9,
    });
    await invest('d1-yz', 'd1-y', 'd1-z', 5e9); // not d1-x's
    await invest('d1-small', 'd1-x', 'd1-z', 1e8); // too small
    await invest('d1-xy', 'd1-x', 'd1-y', 2e9); // the same again: nothing changed
    await invest('d1-xy', 'd1-x', 'd1-y', 5e8); // now too small, but it matched before
    expect((await events.waitFor(2))[1]!.dealEvents.change.deal).toEqual({
      id: 'd1-xy',
      amountUsd: 5e8,
    });
    await deleteDeal('d1-xy'); // no longer matched when deleted: not told
    // Recorded and deleted at once (often within one read of the log): both told, the record
    // matched as the deal was when deleted.
    await invest('d1-xz', 'd1-x', 'd1-z', 3e9);
    await deleteDeal('d1-xz');
    await events.waitFor(4);
    await t.server.live.caughtUp();
    const parties = { type: 'INVESTMENT', fromCompanyId: 'd1-x', toCompanyId: 'd1-y' };
    const xz = { type: 'INVESTMENT', fromCompanyId: 'd1-x', toCompanyId: 'd1-z' };
    expect(
      events.events.map(({ dealEvents: { change } }) => ({ ...change, deal: undefined })),
    ).toEqual([
      { dealId: 'd1-xy', kind: 'RECORDED', ...parties, version: 1, deal: undefined },
      { dealId: 'd1-xy', kind: 'CHANGED', ...parties, version: 2, deal: undefined },
      { dealId: 'd1-xz', kind: 'RECORDED', ...xz, version: 1, deal: undefined },
      { dealId: 'd1-xz', kind: 'DELETED', ...xz, version: 1, deal: undefined },
    ]);
    expect(events.events[3]!.dealEvents.change.deal).toBeNull();
    const cursors = events.events.map((e) => e.dealEvents.cursor);
    expect(new Set(cursors).size).toBe(4);
    events.unsubscribe();
  }, 180_000);
});

describe('the README', () => {
  it('shows a subscription that works as written', async () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Live events'));
    const query = /```graphql\n([\s\S]*?)```/.exec(section)?.[1];
    expect(query).toContain('subscription CircleWatch');
    for (const id of ['m1-amazon', 'm1-anthropic']) await company(id);
    const before = t.server.live.subscriptionCount();
    const events = new Recorder<{ cycleEvents: Record<string, unknown> }>(client, query!, {
      where: { through: ['m1-amazon'], maxLength: 3 },
    });
    await until(() => t.server.live.subscriptionCount() > before || events.done);
    await t.server.live.caughtUp();
    await invest('m1-inv', 'm1-amazon', 'm1-anthropic', 8e9);
    // Looked at before the next write, so that the cause is exact (see the first test).
    await t.server.live.caughtUp();
    await commit('m1-cloud', 'm1-anthropic', 'm1-amazon', 1e9);
    const [event] = await events.waitFor(1);
    expect(events.errors).toEqual([]);
    expect(event!.cycleEvents).toMatchObject({
      kind: 'FORMED',
      cause: { dealId: 'm1-cloud', kind: 'RECORDED', deal: { id: 'm1-cloud', amountUsd: 1e9 } },
      cycle: {
        key: 'm1-amazon>m1-anthropic',
        length: 2,
        investedUsd: 8e9,
        committedUsd: 1e9,
        companies: [{ name: 'm1-amazon' }, { name: 'm1-anthropic' }],
        steps: [{ deals: [{ id: 'm1-inv' }] }, { deals: [{ id: 'm1-cloud' }] }],
      },
    });
    events.unsubscribe();
  }, 180_000);
});
