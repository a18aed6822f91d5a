/**
 * Live cycle events over GraphQL over WebSocket (graphql-ws client, real server, real Neo4j):
 * FORMED when a deal closes a circle, CHANGED when its figures change, BROKEN when a deal goes,
 * nothing for deals that close nothing, and the filters of `circularDeals`. Each test builds its
 * own companies (ids prefixed by the test) and listens through them, so tests do not hear each
 * other.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import { liveClient, Recorder, until } from './support/liveClient.js';

let t: TestServer;
let client: Client;
beforeAll(async () => {
  t = await startTestServer();
  client = liveClient(t.url);
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

async function ok(res: Promise<{ errors?: unknown }>): Promise<void> {
  const r = await res;
  expect(r.errors).toBeUndefined();
}

const company = (id: string, parentId?: string) =>
  ok(
    t.gql(`mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`, {
      input: { id, name: id, ...(parentId ? { parentId } : {}) },
    }),
  );

const SOURCE = [{ publisher: 'Test Wire', url: 'https://example.com/a' }];

const invest = (
  id: string,
  from: string,
  to: string,
  amountUsd: number | null,
  announcedOn?: string,
) =>
  ok(
    t.gql(`mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`, {
      input: {
        id,
        investorId: from,
        investeeId: to,
        amountUsd,
        announcedOn,
        status: 'ANNOUNCED',
        sources: SOURCE,
      },
    }),
  );

const commit = (
  id: string,
  from: string,
  to: string,
  amountUsd: number | null,
  announcedOn?: string,
) =>
  ok(
    t.gql(`mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`, {
      input: {
        id,
        customerId: from,
        providerId: to,
        kind: 'CLOUD',
        amountUsd,
        announcedOn,
        status: 'ANNOUNCED',
        sources: SOURCE,
      },
    }),
  );

const deleteDeal = (id: string) =>
  ok(t.gql(`mutation($id: ID!) { deleteDeal(id: $id) { dealId } }`, { id }));

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
  });

  it('tells FORMED for a three-company circle, and nothing for deals that close nothing', async () => {
    for (const id of ['b1-nvidia', 'b1-openai', 'b1-oracle', 'b1-microsoft']) await company(id);
    const events = await listen({ through: ['b1-openai'] });
    await invest('b1-inv', 'b1-nvidia', 'b1-openai', 1e11);
    await commit('b1-oracle-cloud', 'b1-openai', 'b1-oracle', 3e11);
    await invest('b1-msft', 'b1-microsoft', 'b1-openai', 1.3e10); // no money back to Microsoft
    await t.server.live.caughtUp();
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
  });

  it('tells CHANGED when an amount changes, and BROKEN on a delete while an overlapping cycle stays', async () => {
    for (const id of ['c1-amazon', 'c1-anthropic', 'c1-nvidia']) await company(id);
    await company('c1-aws', 'c1-amazon');
    await invest('c1-inv', 'c1-amazon', 'c1-anthropic', 4e9);
    await commit('c1-cloud', 'c1-anthropic', 'c1-aws', 1e9);
    await commit('c1-chips', 'c1-anthropic', 'c1-nvidia', 2e9);
    const events = await listen({ through: ['c1-anthropic'] });
    // Two cycles share the step amazon -> anthropic; the second closes through nvidia now.
    await commit('c1-gpu-cloud', 'c1-nvidia', 'c1-aws', 5e8);
    await events.waitFor(1);
    await invest('c1-inv', 'c1-amazon', 'c1-anthropic', 8e9); // the amount doubles
    await events.waitFor(3);
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
  });
});
