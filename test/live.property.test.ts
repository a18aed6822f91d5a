/**
 * Property test of cycle events: after any sequence of random writes (deals recorded, rewritten,
 * deleted; a company moved under another parent and back), the cycles a subscriber knew at the
 * start plus those told FORMED, minus those told BROKEN, with the figures of the last FORMED or
 * CHANGED, are exactly what `circularDeals` lists with the same filter. Starts from an empty
 * graph, so on the first run the cycles known at the start are none.
 */
import fc from 'fast-check';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from './support/harness.js';
import { liveClient, Recorder, until } from './support/liveClient.js';

const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 3);

let t: TestServer;
let client: Client;
beforeAll(async () => {
  // A busy machine may take long to plan the cycle statements the first time.
  t = await startTestServer({
    adminToken: ADMIN_TOKEN,
    cycleLimits: { timeoutMs: 120_000, resultCap: 5_000 },
    config: { requestTimeoutMs: 180_000 },
  });
  await t.reset(); // before anyone subscribes: the live feed starts from the empty log
  // As `npm start` does: every cycle statement planned before the first search needs it.
  await t.stores.cycles.plan(5);
  client = liveClient(t.url);
  // c4 is a subsidiary of c1: its deals roll up to c1. s1 and s2 are the sentinel's.
  for (const id of ['c0', 'c1', 'c2', 'c3', 'c4', 's1', 's2'])
    await write(`mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`, {
      input: { id, name: id, ...(id === 'c4' ? { parentId: 'c1' } : {}) },
    });
}, 900_000);
afterAll(async () => {
  await client?.dispose();
  await t?.close();
});

/** A mutation that must succeed; `allowed`: an error code that means "nothing to do". */
async function write(
  query: string,
  variables: Record<string, unknown>,
  allowed?: string,
): Promise<void> {
  const res = await t.gql(query, variables);
  if (allowed && res.errors?.every((e) => e.extensions?.code === allowed)) return;
  expect(res.errors).toBeUndefined();
}

const FILTERS: Record<string, Record<string, unknown>> = {
  default: {},
  short: { maxLength: 2 },
  big: { deals: { minAmountUsd: 1e9 } },
  inOrder: { timeRespecting: true },
  any: { mix: 'ANY', maxLength: 5 },
};

const AMOUNTS = [null, 1e8, 1e9, 5e9];
const DATES = [null, '2024-02', '2024-02-10', '2024-06-20', '2025-01-05'];

const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('record' as const),
      deal: fc.integer({ min: 0, max: 7 }),
      from: fc.integer({ min: 0, max: 4 }),
      to: fc.integer({ min: 0, max: 4 }),
      amount: fc.constantFrom(...AMOUNTS),
      date: fc.constantFrom(...DATES),
      cancelled: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      deal: fc.integer({ min: 0, max: 7 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('parent' as const), under: fc.boolean() }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

async function apply(op: Op): Promise<void> {
  if (op.op === 'delete') {
    // Deleting a deal that is not there (never recorded, or deleted already) changes nothing.
    await write(
      `mutation($id: ID!) { deleteDeal(id: $id) { dealId } }`,
      { id: `d${op.deal}` },
      'NOT_FOUND',
    );
    return;
  }
  if (op.op === 'parent') {
    // c3 moves under c2 (its deals now roll up to c2) or back to the top.
    await write(`mutation($input: UpsertCompanyInput!) { upsertCompany(input: $input) { id } }`, {
      input: { id: 'c3', name: 'c3', parentId: op.under ? 'c2' : null },
    });
    return;
  }
  if (op.from === op.to) return;
  // Even deals are investments, odd ones commitments: an id keeps its type.
  const investment = op.deal % 2 === 0;
  const common = {
    id: `d${op.deal}`,
    amountUsd: op.amount,
    announcedOn: op.date,
    status: op.cancelled ? 'CANCELLED' : 'ANNOUNCED',
    sources: [{ publisher: 'Test Wire' }],
  };
  if (investment)
    await write(
      `mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`,
      {
        input: { ...common, investorId: `c${op.from}`, investeeId: `c${op.to}` },
      },
    );
  else
    await write(
      `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`,
      {
        input: { ...common, customerId: `c${op.from}`, providerId: `c${op.to}`, kind: 'CLOUD' },
      },
    );
}

interface Figures {
  id: string;
  /** The id without the filter's hash (`s1>s2`, where the id may be `s1>s2@3f2a...`). */
  key: string;
  investedUsd: number;
  committedUsd: number;
}
const FIGURES = 'id key investedUsd committedUsd';

async function circularDeals(where: Record<string, unknown>): Promise<Map<string, Figures>> {
  const res = await t.gql<{ circularDeals: { edges: { node: Figures }[] } }>(
    `query($where: CycleFilter) { circularDeals(where: $where, first: 100) { edges { node { ${FIGURES} } } } }`,
    { where },
  );
  expect(res.errors).toBeUndefined();
  return new Map(res.data!.circularDeals.edges.map((e) => [e.node.id, e.node]));
}

interface EventData {
  cycleEvents: { kind: 'FORMED' | 'CHANGED' | 'BROKEN'; cycle: Figures };
}
const EVENTS = `subscription($where: CycleFilter) {
  cycleEvents(where: $where) { kind cycle { ${FIGURES} } } }`;

/** The sentinel: a circle every filter selects, formed last; once it is told, all before is. */
const SENTINEL = 's1>s2';
async function sentinel(on: boolean): Promise<void> {
  if (!on) {
    await write(`mutation($id: ID!) { deleteDeal(id: $id) { dealId } }`, { id: 'sentinel-back' });
    return;
  }
  const base = { amountUsd: 5e9, status: 'ANNOUNCED', sources: [{ publisher: 'Test Wire' }] };
  await write(
    `mutation($input: RecordInvestmentInput!) { recordInvestment(input: $input) { id } }`,
    {
      input: {
        ...base,
        id: 'sentinel-out',
        investorId: 's1',
        investeeId: 's2',
        announcedOn: '2024-01-01',
      },
    },
  );
  await write(
    `mutation($input: RecordCommitmentInput!) { recordCommitment(input: $input) { id } }`,
    {
      input: {
        ...base,
        id: 'sentinel-back',
        customerId: 's2',
        providerId: 's1',
        kind: 'CLOUD',
        announcedOn: '2024-02-01',
      },
    },
  );
}

describe('cycleEvents', () => {
  it('FORMED minus BROKEN equals circularDeals, after any sequence of writes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
        const known: Record<string, Map<string, Figures>> = {};
        const recorders: Record<string, Recorder<EventData>> = {};
        const served = t.server.live.subscriptionCount();
        for (const [name, where] of Object.entries(FILTERS)) {
          known[name] = await circularDeals(where);
          if (run === 0) expect([...known[name]!.keys()]).toEqual([]);
          recorders[name] = new Recorder<EventData>(client, EVENTS, { where });
        }
        await until(
          () => t.server.live.subscriptionCount() === served + Object.keys(FILTERS).length,
        );
        run++;
        for (const op of ops) await apply(op);
        await sentinel(true);
        for (const [name, where] of Object.entries(FILTERS)) {
          const r = recorders[name]!;
          await until(
            () => r.done || r.events.some((e) => e.cycleEvents.cycle.key === SENTINEL),
            300_000,
            () => JSON.stringify({ name, events: r.events, errors: r.errors }),
          );
          expect(r.errors).toEqual([]);
          const state = known[name]!;
          for (const { cycleEvents: e } of r.events) {
            if (e.cycle.key === SENTINEL) break;
            if (e.kind === 'BROKEN') {
              expect(state.has(e.cycle.id)).toBe(true);
              state.delete(e.cycle.id);
            } else {
              expect(state.has(e.cycle.id)).toBe(e.kind === 'CHANGED');
              state.set(e.cycle.id, e.cycle);
            }
          }
          const now = await circularDeals(where);
          for (const [id, c] of now) if (c.key === SENTINEL) now.delete(id);
          expect([...state.values()].sort((a, b) => a.id.localeCompare(b.id))).toEqual(
            [...now.values()].sort((a, b) => a.id.localeCompare(b.id)),
          );
          r.unsubscribe();
        }
        await sentinel(false);
        await until(() => t.server.live.subscriptionCount() === served);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 1_800_000);
});
