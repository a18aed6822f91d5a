/**
 * One meaning of a partial date: a date known to the month is the whole month. Learning a more
 * precise date (a day within that month) can settle an order but never undo one, so it can never
 * turn a time-respecting cycle into one that is not.
 *
 * Checked on the cycle evaluation itself (src/domain/flows.ts) over random cycles and random
 * refinements of their month dates, and against the independent reference
 * (test/support/referenceFlows.ts), which reads a month as the set of its days.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chronologicalCycle, step, type FlowDeal } from '../src/domain/flows.js';
import { dateKey, lastDateKey, lastWholeMonth } from '../src/domain/partialDate.js';
import { referenceTimeRespecting, type RefDeal } from './support/referenceFlows.js';

const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);
const RUNS = Number(process.env.PROPERTY_RUNS_PURE ?? 400);

/** Months close together, so that month and day dates often fall in one month. */
const MONTHS = ['2025-01', '2025-02', '2025-03'];
const dateArb = fc.oneof(
  fc.constantFrom(...MONTHS),
  fc
    .tuple(fc.constantFrom(...MONTHS), fc.integer({ min: 1, max: 31 }))
    .map(
      ([month, day]) =>
        `${month}-${String(Math.min(day, Number(lastDateKey(month).slice(8)))).padStart(2, '0')}`,
    ),
  fc.constant(null),
);

type Deal = { id: string; date: string | null };

/** A cycle of 2-5 steps, each backed by 1-3 deals. */
const cycleArb = fc
  .array(fc.array(dateArb, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 })
  .map((steps) =>
    steps.map((dates, s) => dates.map((date, d): Deal => ({ id: `s${s}d${d}`, date }))),
  );

/** Every month date of the cycle replaced (or not) by a day within that month. */
function refinementArb(cycle: Deal[][]): fc.Arbitrary<Deal[][]> {
  const deals = cycle.flat();
  return fc
    .array(fc.option(fc.integer({ min: 1, max: 31 }), { nil: undefined }), {
      minLength: deals.length,
      maxLength: deals.length,
    })
    .map((days) => {
      let k = 0;
      return cycle.map((dealsOfStep) =>
        dealsOfStep.map((deal) => {
          const day = days[k++];
          if (deal.date === null || deal.date.length !== 7 || day === undefined) return deal;
          const last = Number(lastDateKey(deal.date).slice(8));
          return { ...deal, date: `${deal.date}-${String(Math.min(day, last)).padStart(2, '0')}` };
        }),
      );
    });
}

function implementation(cycle: Deal[][], maxSpanDays: number | null): boolean {
  const steps = cycle.map((deals, i) =>
    step(
      `c${i}`,
      `c${(i + 1) % cycle.length}`,
      deals.map((d): FlowDeal => ({
        id: d.id,
        type: 'INVESTMENT',
        amountUsd: 1,
        dateKey: d.date === null ? null : dateKey(d.date),
        announcedOn: d.date,
      })),
    ),
  );
  return chronologicalCycle(steps, maxSpanDays);
}

function reference(cycle: Deal[][], maxSpanDays: number | null): boolean {
  const steps = cycle.map((deals, i) =>
    deals.map((d): RefDeal => ({
      id: d.id,
      type: 'INVESTMENT',
      from: `c${i}`,
      to: `c${(i + 1) % cycle.length}`,
      amountUsd: 1,
      announcedOn: d.date,
      status: 'COMPLETED',
      kind: null,
    })),
  );
  return referenceTimeRespecting(steps, maxSpanDays ?? undefined);
}

const spanArb = fc.constantFrom(null, 20, 45, 80);

describe('a month-precision date is the whole month', () => {
  it('a more precise date never turns a time-respecting cycle into one that is not', () => {
    fc.assert(
      fc.property(
        cycleArb.chain((cycle) => fc.tuple(fc.constant(cycle), refinementArb(cycle), spanArb)),
        ([cycle, refined, span]) => {
          if (implementation(cycle, span)) expect(implementation(refined, span)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('time-respecting is what the reference says, before and after refining', () => {
    fc.assert(
      fc.property(
        cycleArb.chain((cycle) => fc.tuple(fc.constant(cycle), refinementArb(cycle), spanArb)),
        ([cycle, refined, span]) => {
          expect(implementation(cycle, span)).toBe(reference(cycle, span));
          expect(implementation(refined, span)).toBe(reference(refined, span));
        },
      ),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it('orders a month against days: before it, after it, or unknown within it', () => {
    const cycle = (a: string, b: string): Deal[][] => [
      [{ id: 'a', date: a }],
      [{ id: 'b', date: b }],
      [{ id: 'c', date: '2025-12' }],
    ];
    // Nvidia -> OpenAI, OpenAI -> Oracle, Oracle -> Nvidia: the example.
    expect(implementation(cycle('2025-08-31', '2025-09'), null)).toBe(true);
    expect(implementation(cycle('2025-09', '2025-10-01'), null)).toBe(true);
    // Within one month, one of them known to the month only: no known order.
    expect(implementation(cycle('2025-09', '2025-09'), null)).toBe(false);
    expect(implementation(cycle('2025-09-22', '2025-09'), null)).toBe(false);
    expect(implementation(cycle('2025-09', '2025-09-22'), null)).toBe(false);
    expect(implementation(cycle('2025-09-10', '2025-09-22'), null)).toBe(true);
    // The span runs from the first day the first may be to the last day the last may be.
    expect(
      implementation([[{ id: 'a', date: '2025-01' }], [{ id: 'b', date: '2025-03' }]], 89),
    ).toBe(true);
    expect(
      implementation([[{ id: 'a', date: '2025-01' }], [{ id: 'b', date: '2025-03' }]], 88),
    ).toBe(false);
  });

  it('an upper bound keeps a month only when the whole month lies before it', () => {
    expect(lastWholeMonth('2025-09-30')).toBe('2025-09');
    expect(lastWholeMonth('2025-09-29')).toBe('2025-08');
    expect(lastWholeMonth('2024-02-29')).toBe('2024-02');
    expect(lastWholeMonth('2025-01-15')).toBe('2024-12');
  });
});
