/**
 * The anchored search the live watches run for a changed company pair
 * (CycleStore.findCyclesThroughStep) finds exactly the cycles with a step between the two
 * companies: those of the search through both (findCycles with `through: [a, b]`) that take the
 * step a -> b or b -> a, with the same deals on every step; each once. On the seed, for every pair
 * of companies with money flowing between them, unfiltered and with a deal filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeed } from '../src/importer/seed.js';
import { defaultFlowFilter } from '../src/resolvers/flowArgs.js';
import type { FlowFilter, FoundWalk } from '../src/stores/cycleStore.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let pairs: [string, string][];
beforeAll(async () => {
  t = await startTestServer();
  await t.load(readSeed());
  const rows = await t.cypher(
    `MATCH (a:Company)-[:FLOWS_TO]->(b:Company) WHERE a.id < b.id OR NOT (b)-[:FLOWS_TO]->(a)
     RETURN DISTINCT a.id AS a, b.id AS b ORDER BY a, b`,
  );
  pairs = rows.map((r) => [r.a as string, r.b as string]);
});
afterAll(() => t.close());

/** A walk as its canonical cycle id and the deals of each step. */
const shape = (w: FoundWalk): string => {
  const start = w.companyIds.indexOf([...w.companyIds].sort()[0]!);
  const steps = [...w.steps.slice(start), ...w.steps.slice(0, start)];
  return steps.map((s) => `${s.fromId}>${s.toId}[${s.deals.map((d) => d.id).join(',')}]`).join(' ');
};

async function compare(filter: FlowFilter, maxLength: number): Promise<number> {
  let cycles = 0;
  for (const [a, b] of pairs) {
    const anchored = (
      await t.stores.cycles.findCyclesThroughStep({ pair: [a, b], minLength: 2, maxLength, filter })
    ).map(shape);
    const through = (
      await t.stores.cycles.findCycles({ through: [a, b], minLength: 2, maxLength, filter })
    )
      .filter((w) =>
        w.steps.some((s) => (s.fromId === a && s.toId === b) || (s.fromId === b && s.toId === a)),
      )
      .map(shape);
    expect(anchored.sort(), `${a} / ${b}`).toEqual(through.sort());
    expect(new Set(anchored).size).toBe(anchored.length);
    cycles += anchored.length;
  }
  return cycles;
}

describe('cycles with a step between two companies', () => {
  it('are those through both that take the step, unfiltered', async () => {
    expect(pairs.length).toBeGreaterThan(20);
    // The seed has circles on its flows: a comparison of empty lists would prove nothing.
    expect(await compare(defaultFlowFilter(), 5)).toBeGreaterThan(10);
  }, 120_000);

  it('are those through both that take the step, with a deal filter', async () => {
    const filter = { ...defaultFlowFilter(), minAmount: 1e9 };
    expect(await compare(filter, 4)).toBeGreaterThan(0);
  }, 120_000);
});
