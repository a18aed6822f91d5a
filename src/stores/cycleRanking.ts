/**
 * Ranked pages of cycles without enumerating every cycle: which searches a page runs, in which
 * order, so that the rows they return are exactly the first rows of the full ordering (the order
 * of domain/flows.ts: unknown values last in either direction, ties by cycle id).
 *
 * A page is read as a sequence of *levels*. Each level is one search (rankedStatement in
 * cycleStore.ts) that returns, after a cursor, the first `n` cycles in page order among those it
 * *certifies*: cycles whose value lies in a range of which the level finds every cycle. Two kinds of
 * sequence:
 *
 * - Thresholds, loosening (ordering by value). A level bounds the steps it expands, so that every
 *   cycle of value at least as good as its threshold is found:
 *   - every step within a bound (BOTTLENECK DESC: all steps >= t; TOTAL_AMOUNT ASC: all steps
 *     <= T; RECENCY ASC: no step dated after d), or
 *   - some step within a bound, a search rooted at each such step (BOTTLENECK ASC: a step <= t;
 *     TOTAL_AMOUNT DESC: a step >= T / maxLength; RECENCY DESC: a step dated d or later).
 *   The certified ranges grow with each level, so a page that is not full at one level goes on
 *   at the next from the last row it kept. The thresholds are the values of the flows at ranks
 *   r, 2r, 4r, ... (best first; r a sixteenth of the flows, at least RANK0; a threshold under
 *   which nothing was found is followed by one four times as loose), and the last level has no
 *   bound: the whole search, whose cost is that of every cycle (ROUND_TRIP_RATIO, which no
 *   single step bounds, has only this level; so has any page past the cycles of known value).
 * - Segments, in order (LENGTH). Lengths in page order; for the whole graph each length is cut
 *   further by the cycle's smallest company, in the order of cycle ids (a cycle id starts with its
 *   smallest company's id and '>', and company ids never hold '>'), in batches that double, so
 *   the longest cycles of a large graph are ranked by reading the cycles of the first companies
 *   only.
 */
import type { CycleRow } from '../domain/flows.js';
import { CYCLE_ORDER } from '../domain/flows.js';
import type { SortKey } from './pagination.js';
import type { RankedKind } from './cycleStore.js';

export type RankField = keyof typeof CYCLE_ORDER;

/** Step bounds of a level (cycleStore.ts everyStepBound / someStepBound) and its certified range. */
export interface LevelBounds {
  stepMin?: number;
  stepMax?: number;
  latestMax?: string;
  edgeMin?: number;
  edgeMax?: number;
  latestMin?: string;
  certMin?: number;
  certMax?: number;
}

export interface Level {
  kind: RankedKind;
  /** Cycle lengths the level searches. */
  lengths: number[];
  /** For `all`: the smallest companies of its cycles (null: any); for `prefixed`, the one. */
  starts: string[] | null;
  /** For `prefixed`: the walks its cycles begin with (cycleStore.ts prefixesStatement). */
  prefixes?: string[][];
  bounds: LevelBounds;
}

/**
 * A position in page order as the ranked statements compare it: unknown value (1) or not (0), the
 * value times the direction's sign (so that ascending order serves both directions), the cycle id.
 */
export interface RankCursor {
  nf: 0 | 1;
  sv: number;
  id: string;
}

/**
 * Steps a prefixed search walks back to the smallest company (meet in the middle), for cycles of
 * `length` companies; null below four, whose cycles are ranked per smallest company. LENGTH ranks
 * the longer cycles by their first length - tail steps: a hub's cycles of length 4 number in the
 * tens of thousands, of length 6 in the millions.
 */
export function prefixTail(length: number): number | null {
  return length < 4 ? null : length === 4 ? 3 : 4;
}

/** The fewest flows the first threshold takes; each next one takes twice as many. */
export const RANK0 = 32;

export const signOf = (direction: 'ASC' | 'DESC'): 1 | -1 => (direction === 'ASC' ? 1 : -1);

/** A value as the ranked statements compare it: a date key as the number 20250915. */
function numeric(value: number | string): number {
  return typeof value === 'number' ? value : Number(value.replaceAll('-', ''));
}

/**
 * The page key of a cycle, as cursors carry it: [1, 0, id] for an unknown value (last in either
 * direction), else [0, value, id].
 */
export function cycleKey(row: CycleRow, field: RankField): SortKey {
  const value = CYCLE_ORDER[field](row);
  return value === null ? [1, 0, row.id] : [0, value, row.id];
}

/** A page key (from a cursor) as a RankCursor; null when it is not one this order issues. */
export function rankCursor(
  key: SortKey,
  field: RankField,
  direction: 'ASC' | 'DESC',
): RankCursor | null {
  const [nf, value, id] = key;
  if (key.length !== 3 || (nf !== 0 && nf !== 1) || typeof id !== 'string') return null;
  if (nf === 1) return { nf, sv: 0, id };
  const dated = field === 'RECENCY';
  if (
    dated
      ? typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)
      : typeof value !== 'number'
  )
    return null;
  return { nf, sv: signOf(direction) * numeric(value as number | string), id };
}

export function cursorOf(row: CycleRow, field: RankField, direction: 'ASC' | 'DESC'): RankCursor {
  return rankCursor(cycleKey(row, field), field, direction) as RankCursor;
}

/** a before b in page order. */
export function compareCursors(a: RankCursor, b: RankCursor): number {
  return a.nf - b.nf || a.sv - b.sv || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function range(from: number, to: number): number[] {
  const step = from <= to ? 1 : -1;
  const out: number[] = [];
  for (let k = from; step > 0 ? k <= to : k >= to; k += step) out.push(k);
  return out;
}

/**
 * Whether an order has threshold levels (and so needs the values of the flows): not
 * ROUND_TRIP_RATIO, which no single step bounds; and not through a company, whose search
 * (cycleStore.ts throughHalves) finds its own threshold from the half walks it joins, which
 * every level would walk again.
 */
export function thresholdsNeedValues(field: RankField, through: boolean): boolean {
  return field !== 'ROUND_TRIP_RATIO' && field !== 'LENGTH' && !through;
}

/**
 * The threshold levels of an order by value, from the values of the flows that can be steps
 * (known amounts, -1 for none known; or latest date keys, '' for none): see the header. `base`
 * is the kind of the unbounded search (`all` or `through`); `scope` the companies every cycle
 * passes (for rooted levels).
 */
export function thresholdLevels(
  field: Exclude<RankField, 'LENGTH'>,
  direction: 'ASC' | 'DESC',
  values: (number | string)[],
  lengths: number[],
  base: 'all' | 'through',
  after: RankCursor | null,
): Level[] {
  const final: Level = { kind: base, lengths, starts: null, bounds: {} };
  // Past the cycles of known value, or ordered by a value no step bounds: the whole search.
  if (after?.nf === 1 || !thresholdsNeedValues(field, base === 'through')) return [final];
  const desc = direction === 'DESC';
  const maxLength = Math.max(...lengths);
  const known =
    field === 'RECENCY'
      ? (values.filter((v) => typeof v === 'string' && v !== '') as string[])
      : field === 'TOTAL_AMOUNT' && !desc
        ? (values as number[]).map((v) => Math.max(v, 0))
        : (values as number[]).filter((v) => v >= 0);
  known.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (desc) known.reverse();
  const levels: Level[] = [];
  let previous: number | string | undefined;
  // The first threshold takes a sixteenth of the flows (at least RANK0): below that, on the
  // synthetic graphs, the thresholds certified nothing and each cost a statement per length.
  for (
    let rank = Math.max(RANK0, 2 ** Math.floor(Math.log2(known.length / 16)));
    rank < known.length;
    rank *= 2
  ) {
    const t = known[rank - 1] as number & string;
    if (t === previous) continue;
    previous = t;
    const level = thresholdLevel(
      field as 'TOTAL_AMOUNT' | 'RECENCY' | 'BOTTLENECK',
      desc,
      t,
      maxLength,
      lengths,
      base,
    );
    // A level certifying only cycles before the cursor adds nothing.
    const { certMin, certMax } = level.bounds;
    const at = after ? after.sv / signOf(direction) : null;
    if (
      at !== null &&
      ((certMin !== undefined && certMin > at) || (certMax !== undefined && certMax < at))
    )
      continue;
    levels.push(level);
  }
  levels.push(final);
  return levels;
}

function thresholdLevel(
  field: 'TOTAL_AMOUNT' | 'RECENCY' | 'BOTTLENECK',
  desc: boolean,
  t: number & string,
  maxLength: number,
  lengths: number[],
  base: 'all' | 'through',
): Level {
  const every = (bounds: LevelBounds): Level => ({ kind: base, lengths, starts: null, bounds });
  const rooted = (bounds: LevelBounds): Level => ({
    kind: 'rooted',
    lengths,
    starts: null,
    bounds,
  });
  switch (field) {
    case 'BOTTLENECK':
      return desc ? every({ stepMin: t, certMin: t }) : rooted({ edgeMax: t, certMax: t });
    case 'TOTAL_AMOUNT':
      return desc
        ? rooted({ edgeMin: t, certMin: t * maxLength })
        : every({ stepMax: t, certMax: t });
    case 'RECENCY':
      return desc
        ? rooted({ latestMin: t, certMin: numeric(t) })
        : every({ latestMax: t, certMax: numeric(t) });
  }
}

/**
 * Whether a page key found tightens the step bounds of a search that is not rooted (tightened):
 * the orders whose value is bounded by every step.
 */
export function tightensSteps(field: RankField, direction: 'ASC' | 'DESC'): boolean {
  const desc = direction === 'DESC';
  return (
    (field === 'BOTTLENECK' && desc) ||
    (field === 'TOTAL_AMOUNT' && !desc) ||
    (field === 'RECENCY' && !desc)
  );
}

/**
 * A level's bounds tightened once `n` rows are in hand whose last has value `v`: only cycles
 * ranked no later than it can still make the page, so the searches of the longer lengths that
 * follow expand fewer flows (bounds only ever narrow to what the level certifies anyway).
 */
export function tightened(
  level: Level,
  field: RankField,
  direction: 'ASC' | 'DESC',
  v: number,
  maxLength: number,
): LevelBounds {
  const b = { ...level.bounds };
  const desc = direction === 'DESC';
  const max = (x: number | undefined, y: number): number => (x === undefined ? y : Math.max(x, y));
  const min = (x: number | undefined, y: number): number => (x === undefined ? y : Math.min(x, y));
  const date = (x: number): string => {
    const d = String(Math.round(x));
    return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  };
  const later = (x: string | undefined, y: string): string => (x === undefined || y > x ? y : x);
  const earlier = (x: string | undefined, y: string): string => (x === undefined || y < x ? y : x);
  if (level.kind === 'rooted') {
    if (field === 'BOTTLENECK' && !desc) b.edgeMax = min(b.edgeMax, v);
    // A cycle of total >= v has a step >= v / its length (a hair less, for the float division).
    if (field === 'TOTAL_AMOUNT' && desc) b.edgeMin = max(b.edgeMin, (v / maxLength) * (1 - 1e-12));
    if (field === 'RECENCY' && desc) b.latestMin = later(b.latestMin, date(v));
  } else {
    if (field === 'BOTTLENECK' && desc) b.stepMin = max(b.stepMin, v);
    if (field === 'TOTAL_AMOUNT' && !desc) b.stepMax = min(b.stepMax, v);
    if (field === 'RECENCY' && !desc) b.latestMax = earlier(b.latestMax, date(v));
  }
  return b;
}

/** The order of cycle ids among their smallest companies: by id followed by '>'. */
export function startOrder(ids: string[]): string[] {
  return [...ids].sort((a, b) => {
    const [x, y] = [`${a}>`, `${b}>`];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The segment levels of LENGTH: lengths in page order; on the whole graph (`starts`, in
 * startOrder), each length in batches of smallest companies that double from one.
 */
export function lengthLevels(
  direction: 'ASC' | 'DESC',
  minLength: number,
  maxLength: number,
  starts: string[] | null,
  after: RankCursor | null,
): Level[] {
  const sign = signOf(direction);
  let lengths = direction === 'ASC' ? range(minLength, maxLength) : range(maxLength, minLength);
  if (after?.nf === 0) lengths = lengths.filter((k) => sign * k >= after.sv);
  if (!starts)
    return lengths.map((k) => ({ kind: 'through', lengths: [k], starts: null, bounds: {} }));
  const levels: Level[] = [];
  for (const k of lengths) {
    let from = 0;
    // Within the cursor's length, the companies before its cycle's smallest one are done.
    if (after?.nf === 0 && sign * k === after.sv) {
      const first = `${after.id.split('>')[0] ?? ''}>`;
      while (from < starts.length && `${starts[from]}>` < first) from++;
    }
    // Longer cycles: one level per smallest company, which cycleStore cuts further by the
    // cycles' first steps (a hub's cycles of length 6 number in the millions).
    if (prefixTail(k) !== null) {
      for (const s of starts.slice(from))
        levels.push({ kind: 'prefixed', lengths: [k], starts: [s], bounds: {} });
      continue;
    }
    for (let size = 1; from < starts.length; size *= 2) {
      levels.push({
        kind: 'all',
        lengths: [k],
        starts: starts.slice(from, from + size),
        bounds: {},
      });
      from += size;
    }
  }
  return levels;
}
