/**
 * Cycles and money paths, once Neo4j has found them: canonical rotation, the figures reported
 * for each, the mix and time-respecting conditions, and ordering. Pure functions, so the same
 * rules serve every query and can be read in one place.
 */
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
}

export interface CycleRow {
  id: string;
  companyIds: string[];
  steps: FlowStepRow[];
  investedUsd: number;
  committedUsd: number;
  roundTripRatio: number | null;
  bottleneckUsd: number | null;
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
  totalUsd: number;
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
  return {
    fromId,
    toId,
    deals: [...deals].sort(byAmountDesc),
    amountUsd: known.length ? known.reduce((sum, d) => sum + (d.amountUsd ?? 0), 0) : null,
    unknownAmountCount: deals.length - known.length,
  };
}

/**
 * Whether one deal per step can be chosen, in step order, with dates that never go backwards
 * and (with maxSpanDays) lie within that many days of the first. For each candidate first deal,
 * taking the earliest admissible deal at every later step leaves the most room downstream, so
 * that greedy choice decides it.
 */
export function chronological(steps: FlowStepRow[], maxSpanDays: number | null): boolean {
  const dates = steps.map((s) => s.deals.flatMap((d) => (d.dateKey ? [d.dateKey] : [])).sort());
  const [first, ...rest] = dates;
  if (!first?.length) return false;
  for (const start of new Set(first)) {
    let at: string | undefined = start;
    for (const candidates of rest) {
      at = candidates.find((d) => d >= (at as string));
      if (at === undefined) break;
    }
    if (at === undefined) continue;
    if (maxSpanDays === null || (Date.parse(at) - Date.parse(start)) / DAY_MS <= maxSpanDays)
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

function dateRange(steps: FlowStepRow[]): {
  firstDate: string | null;
  lastDate: string | null;
  lastDateKey: string | null;
} {
  const dated = steps
    .flatMap((s) => s.deals)
    .filter((d) => d.dateKey !== null)
    .sort((a, b) => (a.dateKey as string).localeCompare(b.dateKey as string));
  return {
    firstDate: dated[0]?.announcedOn ?? null,
    lastDate: dated.at(-1)?.announcedOn ?? null,
    lastDateKey: dated.at(-1)?.dateKey ?? null,
  };
}

function bottleneck(steps: FlowStepRow[]): number | null {
  if (steps.some((s) => s.amountUsd === null)) return null;
  return Math.min(...steps.map((s) => s.amountUsd as number));
}

function knownSum(deals: FlowDeal[], type?: DealType): number {
  return deals
    .filter((d) => d.amountUsd !== null && (type === undefined || d.type === type))
    .reduce((sum, d) => sum + (d.amountUsd as number), 0);
}

/**
 * Builds the reported cycle from companies in walk order (`steps[i]` flows from `companyIds[i]`
 * to the next). Rotates it to start at the smallest id, so every rotation gives one id.
 */
export function toCycle(
  companyIds: string[],
  steps: FlowStepRow[],
  maxSpanDays: number | null,
): CycleRow {
  let start = 0;
  companyIds.forEach((id, i) => {
    if (id < (companyIds[start] as string)) start = i;
  });
  const ids = [...companyIds.slice(start), ...companyIds.slice(0, start)];
  const ordered = [...steps.slice(start), ...steps.slice(0, start)];
  const deals = ordered.flatMap((s) => s.deals);
  const investedUsd = knownSum(deals, 'INVESTMENT');
  const committedUsd = knownSum(deals, 'COMMITMENT');
  return {
    id: ids.join('>'),
    companyIds: ids,
    steps: ordered,
    investedUsd,
    committedUsd,
    roundTripRatio: investedUsd > 0 ? committedUsd / investedUsd : null,
    bottleneckUsd: bottleneck(ordered),
    ...dateRange(ordered),
    timeRespecting: chronologicalCycle(ordered, maxSpanDays),
  };
}

export function toPath(
  companyIds: string[],
  steps: FlowStepRow[],
  maxSpanDays: number | null,
): PathRow {
  return {
    id: companyIds.join('>'),
    companyIds,
    steps,
    bottleneckUsd: bottleneck(steps),
    totalUsd: knownSum(steps.flatMap((s) => s.deals)),
    ...dateRange(steps),
    timeRespecting: chronological(steps, maxSpanDays),
  };
}

export function hasInvestmentAndCommitment(cycle: CycleRow): boolean {
  const types = new Set(cycle.steps.flatMap((s) => s.deals.map((d) => d.type)));
  return types.has('INVESTMENT') && types.has('COMMITMENT');
}

type Direction = 'ASC' | 'DESC';

/** Nulls sort last in either direction; ties fall back to the id, so pages are stable. */
function compareBy<T extends { id: string }>(
  key: (row: T) => number | string | null,
  direction: Direction,
) {
  return (a: T, b: T): number => {
    const x = key(a);
    const y = key(b);
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const order = x < y ? -1 : 1;
      return direction === 'ASC' ? order : -order;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
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
  return [...rows].sort(compareBy(CYCLE_ORDER[field], direction));
}

export function sortPaths(
  rows: PathRow[],
  field: keyof typeof PATH_ORDER,
  direction: Direction,
): PathRow[] {
  return [...rows].sort(compareBy(PATH_ORDER[field], direction));
}
