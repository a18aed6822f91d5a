/**
 * Cycles and money paths, once Neo4j has found them: canonical rotation, the figures reported
 * for each, the mix and time-respecting conditions, and ordering. Pure functions, so the same
 * rules serve every query and can be read in one place.
 */
import { lastDateKey } from './partialDate.js';
import type { DealType } from '../stores/rows.js';

/** A deal as the flow graph carries it. */
export interface FlowDeal {
  id: string;
  type: DealType;
  amountUsd: number | null;
  /** Sort key YYYY-MM-DD, or null when undated. */
  dateKey: string | null;
  /** The date as given (YYYY-MM or YYYY-MM-DD), or null. */
  announcedOn: string | null;
}

export interface FlowStepRow {
  fromId: string;
  toId: string;
  /** The step's deals that pass the filter, largest known amount first. */
  deals: FlowDeal[];
  amountUsd: number | null;
  unknownAmountCount: number;
  /**
   * Summaries of `deals` that every walk through this step reuses: a step between two companies
   * is built once per query however many cycles pass through it.
   */
  summary: StepSummary;
}

interface StepSummary {
  investedUsd: number;
  committedUsd: number;
  /** Investments and commitments of the step with no known amount. */
  investedUnknownCount: number;
  committedUnknownCount: number;
  hasInvestment: boolean;
  hasCommitment: boolean;
  /**
   * The dated deals' dates as the ranges of days they may be (a month: its first to its last
   * day), distinct, by last day ascending.
   */
  dateRanges: DateRange[];
  /** The first deal (in deal order) with the earliest date, and the last with the latest. */
  earliest: FlowDeal | null;
  latest: FlowDeal | null;
}

export interface CycleRow {
  id: string;
  companyIds: string[];
  steps: FlowStepRow[];
  investedUsd: number;
  committedUsd: number;
  investedUnknownCount: number;
  committedUnknownCount: number;
  roundTripRatio: number | null;
  roundTripRatioIsLowerBound: boolean;
  bottleneckUsd: number | null;
  bottleneckIsLowerBound: boolean;
  firstDate: string | null;
  lastDate: string | null;
  /** lastDate as a sort key. */
  lastDateKey: string | null;
  timeRespecting: boolean;
}

export interface PathRow {
  id: string;
  companyIds: string[];
  steps: FlowStepRow[];
  bottleneckUsd: number | null;
  bottleneckIsLowerBound: boolean;
  totalUsd: number;
  /** Backing deals with no known amount, left out of totalUsd. */
  unknownAmountCount: number;
  firstDate: string | null;
  lastDate: string | null;
  lastDateKey: string | null;
  timeRespecting: boolean;
}

const DAY_MS = 86_400_000;

function byAmountDesc(a: FlowDeal, b: FlowDeal): number {
  return (b.amountUsd ?? -1) - (a.amountUsd ?? -1) || a.id.localeCompare(b.id);
}

export function step(fromId: string, toId: string, deals: FlowDeal[]): FlowStepRow {
  const known = deals.filter((d) => d.amountUsd !== null);
  const sorted = [...deals].sort(byAmountDesc);
  let earliest: FlowDeal | null = null;
  let latest: FlowDeal | null = null;
  for (const d of sorted) {
    if (d.dateKey === null) continue;
    if (!earliest || d.dateKey < (earliest.dateKey as string)) earliest = d;
    if (!latest || d.dateKey >= (latest.dateKey as string)) latest = d;
  }
  return {
    fromId,
    toId,
    deals: sorted,
    amountUsd: known.length ? known.reduce((sum, d) => sum + (d.amountUsd ?? 0), 0) : null,
    unknownAmountCount: deals.length - known.length,
    summary: {
      investedUsd: knownSum(sorted, 'INVESTMENT'),
      committedUsd: knownSum(sorted, 'COMMITMENT'),
      investedUnknownCount: unknownCount(sorted, 'INVESTMENT'),
      committedUnknownCount: unknownCount(sorted, 'COMMITMENT'),
      hasInvestment: sorted.some((d) => d.type === 'INVESTMENT'),
      hasCommitment: sorted.some((d) => d.type === 'COMMITMENT'),
      dateRanges: dateRanges(sorted),
      earliest,
      latest,
    },
  };
}

/** The days a date may be, as sort keys: one day, or a month from its first to its last day. */
interface DateRange {
  first: string;
  last: string;
}

function dateRanges(deals: FlowDeal[]): DateRange[] {
  const ranges = new Map<string, DateRange>();
  for (const d of deals) {
    if (d.dateKey === null || d.announcedOn === null) continue;
    ranges.set(d.announcedOn, { first: d.dateKey, last: lastDateKey(d.announcedOn) });
  }
  return [...ranges.values()].sort((a, b) => (a.last < b.last ? -1 : a.last > b.last ? 1 : 0));
}

/**
 * Whether one deal per step can be chosen, in step order, whose dates certainly never go
 * backwards: each comes no earlier than the last day the previous one may be (two dates within
 * one month, one or both known to the month only, have no known order). With maxSpanDays, the
 * first day the first may be and the last day the last may be lie within that many days. So a
 * more precise date (a day within a month) can only make a sequence time-respecting, never
 * undo it (see partialDate.ts).
 *
 * For each candidate first deal, taking at every later step the admissible deal that ends
 * earliest leaves the most room downstream (and the shortest span), so that greedy choice
 * decides it.
 */
export function chronological(steps: FlowStepRow[], maxSpanDays: number | null): boolean {
  const [first, ...rest] = steps.map((s) => s.summary.dateRanges);
  if (!first?.length) return false;
  for (const start of first) {
    let at: DateRange | undefined = start;
    for (const candidates of rest) {
      const after: string = at.last;
      at = candidates.find((d) => d.first >= after);
      if (at === undefined) break;
    }
    if (at === undefined) continue;
    if (
      maxSpanDays === null ||
      (Date.parse(at.last) - Date.parse(start.first)) / DAY_MS <= maxSpanDays
    )
      return true;
  }
  return false;
}

/** A cycle is time-respecting when some rotation of its steps is chronological. */
export function chronologicalCycle(steps: FlowStepRow[], maxSpanDays: number | null): boolean {
  return steps.some((_, i) =>
    chronological([...steps.slice(i), ...steps.slice(0, i)], maxSpanDays),
  );
}

/**
 * The earliest and latest dated deal over the steps: among deals of the same date, the first in
 * step order is the earliest and the last is the latest.
 */
function dateRange(steps: FlowStepRow[]): {
  firstDate: string | null;
  lastDate: string | null;
  lastDateKey: string | null;
} {
  let earliest: FlowDeal | null = null;
  let latest: FlowDeal | null = null;
  for (const { summary } of steps) {
    if (summary.earliest && (!earliest || summary.earliest.dateKey! < earliest.dateKey!))
      earliest = summary.earliest;
    if (summary.latest && (!latest || summary.latest.dateKey! >= latest.dateKey!))
      latest = summary.latest;
  }
  return {
    firstDate: earliest?.announcedOn ?? null,
    lastDate: latest?.announcedOn ?? null,
    lastDateKey: latest?.dateKey ?? null,
  };
}

function bottleneck(steps: FlowStepRow[]): number | null {
  let smallest = Infinity;
  for (const s of steps) {
    if (s.amountUsd === null) return null;
    smallest = Math.min(smallest, s.amountUsd);
  }
  return smallest;
}

/**
 * A bottleneck from steps some of whose deals have no known amount is a lower bound: each such
 * step carries at least its known sum, so the smallest step carries at least the smallest sum.
 */
function bottleneckIsLowerBound(steps: FlowStepRow[], bottleneckUsd: number | null): boolean {
  return bottleneckUsd !== null && steps.some((s) => s.unknownAmountCount > 0);
}

/**
 * committedUsd / investedUsd, when the known amounts say something about it. Unknown is never
 * zero: with an investment of unknown amount the ratio could be anything (null); with nothing
 * known coming back but a commitment of unknown amount (10 GW of systems), it is unknown too
 * (null), not 0. Known commitments beside unknown ones make the ratio a lower bound.
 */
function roundTrip(
  investedUsd: number,
  committedUsd: number,
  investedUnknownCount: number,
  committedUnknownCount: number,
): { ratio: number | null; isLowerBound: boolean } {
  if (investedUsd <= 0 || investedUnknownCount > 0) return { ratio: null, isLowerBound: false };
  if (committedUnknownCount > 0 && committedUsd === 0) return { ratio: null, isLowerBound: false };
  return { ratio: committedUsd / investedUsd, isLowerBound: committedUnknownCount > 0 };
}

function unknownCount(deals: FlowDeal[], type: DealType): number {
  return deals.filter((d) => d.amountUsd === null && d.type === type).length;
}

function knownSum(deals: FlowDeal[], type?: DealType): number {
  return deals
    .filter((d) => d.amountUsd !== null && (type === undefined || d.type === type))
    .reduce((sum, d) => sum + (d.amountUsd as number), 0);
}

/**
 * The reported cycle, built from companies in walk order (`steps[i]` flows from `companyIds[i]`
 * to the next) and rotated to start at the smallest id, so every rotation gives one id. Figures
 * come from the steps' summaries; whether the cycle is time-respecting is worked out when first
 * read (a filter or a selected field), not for every cycle found. A class, so that the hundreds of
 * thousands of cycles a long search can find share one shape.
 */
class Cycle implements CycleRow {
  readonly id: string;
  readonly companyIds: string[];
  readonly steps: FlowStepRow[];
  readonly investedUsd: number;
  readonly committedUsd: number;
  readonly investedUnknownCount: number;
  readonly committedUnknownCount: number;
  readonly roundTripRatio: number | null;
  readonly roundTripRatioIsLowerBound: boolean;
  readonly bottleneckUsd: number | null;
  readonly bottleneckIsLowerBound: boolean;
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  readonly lastDateKey: string | null;
  private respecting: boolean | undefined;

  constructor(
    companyIds: string[],
    steps: FlowStepRow[],
    private readonly maxSpanDays: number | null,
  ) {
    let start = 0;
    for (let i = 1; i < companyIds.length; i++)
      if ((companyIds[i] as string) < (companyIds[start] as string)) start = i;
    this.companyIds = start
      ? [...companyIds.slice(start), ...companyIds.slice(0, start)]
      : companyIds;
    this.steps = start ? [...steps.slice(start), ...steps.slice(0, start)] : steps;
    this.id = this.companyIds.join('>');
    let investedUsd = 0;
    let committedUsd = 0;
    let investedUnknownCount = 0;
    let committedUnknownCount = 0;
    for (const { summary } of this.steps) {
      investedUsd += summary.investedUsd;
      committedUsd += summary.committedUsd;
      investedUnknownCount += summary.investedUnknownCount;
      committedUnknownCount += summary.committedUnknownCount;
    }
    this.investedUsd = investedUsd;
    this.committedUsd = committedUsd;
    this.investedUnknownCount = investedUnknownCount;
    this.committedUnknownCount = committedUnknownCount;
    const ratio = roundTrip(investedUsd, committedUsd, investedUnknownCount, committedUnknownCount);
    this.roundTripRatio = ratio.ratio;
    this.roundTripRatioIsLowerBound = ratio.isLowerBound;
    this.bottleneckUsd = bottleneck(this.steps);
    this.bottleneckIsLowerBound = bottleneckIsLowerBound(this.steps, this.bottleneckUsd);
    const range = dateRange(this.steps);
    this.firstDate = range.firstDate;
    this.lastDate = range.lastDate;
    this.lastDateKey = range.lastDateKey;
  }

  get timeRespecting(): boolean {
    this.respecting ??= chronologicalCycle(this.steps, this.maxSpanDays);
    return this.respecting;
  }
}

export function toCycle(
  companyIds: string[],
  steps: FlowStepRow[],
  maxSpanDays: number | null,
): CycleRow {
  return new Cycle(companyIds, steps, maxSpanDays);
}

export function toPath(
  companyIds: string[],
  steps: FlowStepRow[],
  maxSpanDays: number | null,
): PathRow {
  const bottleneckUsd = bottleneck(steps);
  return {
    id: companyIds.join('>'),
    companyIds,
    steps,
    bottleneckUsd,
    bottleneckIsLowerBound: bottleneckIsLowerBound(steps, bottleneckUsd),
    totalUsd: steps.reduce((sum, s) => sum + s.summary.investedUsd + s.summary.committedUsd, 0),
    unknownAmountCount: steps.reduce((sum, s) => sum + s.unknownAmountCount, 0),
    ...dateRange(steps),
    timeRespecting: chronological(steps, maxSpanDays),
  };
}

/** The steps' deals include an investment and a commitment. */
export function hasInvestmentAndCommitment(steps: FlowStepRow[]): boolean {
  let investment = false;
  let commitment = false;
  for (const { summary } of steps) {
    investment ||= summary.hasInvestment;
    commitment ||= summary.hasCommitment;
  }
  return investment && commitment;
}

type Direction = 'ASC' | 'DESC';

/**
 * Sorts rows by a key, nulls last in either direction; ties fall back to the id, so pages are
 * stable. Each row's key is computed once.
 */
function sortBy<T extends { id: string }>(
  rows: T[],
  key: (row: T) => number | string | null,
  direction: Direction,
): T[] {
  const sign = direction === 'ASC' ? 1 : -1;
  const keyed = rows.map((row) => ({ row, key: key(row) }));
  keyed.sort((a, b) => {
    if (a.key !== b.key) {
      if (a.key === null) return 1;
      if (b.key === null) return -1;
      return a.key < b.key ? -sign : sign;
    }
    return a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
  });
  return keyed.map((k) => k.row);
}

export const CYCLE_ORDER = {
  LENGTH: (c: CycleRow) => c.companyIds.length,
  TOTAL_AMOUNT: (c: CycleRow) => c.investedUsd + c.committedUsd,
  ROUND_TRIP_RATIO: (c: CycleRow) => c.roundTripRatio,
  RECENCY: (c: CycleRow) => c.lastDateKey,
  BOTTLENECK: (c: CycleRow) => c.bottleneckUsd,
} as const;

export const PATH_ORDER = {
  LENGTH: (p: PathRow) => p.steps.length,
  TOTAL_AMOUNT: (p: PathRow) => p.totalUsd,
  BOTTLENECK: (p: PathRow) => p.bottleneckUsd,
  RECENCY: (p: PathRow) => p.lastDateKey,
} as const;

export function sortCycles(
  rows: CycleRow[],
  field: keyof typeof CYCLE_ORDER,
  direction: Direction,
): CycleRow[] {
  return sortBy(rows, CYCLE_ORDER[field], direction);
}

export function sortPaths(
  rows: PathRow[],
  field: keyof typeof PATH_ORDER,
  direction: Direction,
): PathRow[] {
  return sortBy(rows, PATH_ORDER[field], direction);
}
