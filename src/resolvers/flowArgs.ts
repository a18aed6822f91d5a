/** Checks and converts the arguments of cycle and money-path queries. */
import { dateKey, lastWholeMonth, upperDateKey } from '../domain/partialDate.js';
import { badInput, type Problem } from '../errors.js';
import type {
  CycleFilter,
  CycleOrder,
  FlowDealFilter,
  MoneyPathFilter,
  MoneyPathOrder,
} from '../generated/graphql.js';
import {
  DEFAULT_MAX_LENGTH,
  MAX_FLOW_LENGTH,
  type CycleQuery,
  type FlowFilter,
  type PathQuery,
} from '../stores/cycleStore.js';
import type { Stores } from '../stores/index.js';

function flowFilter(
  deals: FlowDealFilter | null | undefined,
  needDated: boolean,
  field: string,
  problems: Problem[],
): FlowFilter {
  const f = deals ?? {};
  if (f.minAmountUsd != null && f.minAmountUsd < 0)
    problems.push({ field: `${field}.minAmountUsd`, message: 'must not be negative' });
  if (f.from && f.to && dateKey(f.from) > upperDateKey(f.to))
    problems.push({ field: `${field}.from`, message: 'must not be after to' });
  return {
    types: f.types?.length ? f.types : null,
    kinds: f.commitmentKinds?.length ? f.commitmentKinds : null,
    statuses: f.statuses?.length ? f.statuses : null,
    from: f.from ? dateKey(f.from) : null,
    // A month as upper bound includes the whole month.
    to: f.to ? upperDateKey(f.to) : null,
    toMonth: f.to ? lastWholeMonth(upperDateKey(f.to)) : null,
    minAmount: f.minAmountUsd ?? null,
    includeUnknown: f.includeUnknownAmounts ?? f.minAmountUsd == null,
    needDated,
  };
}

function timeCondition(
  where: { timeRespecting?: boolean | null; maxSpanDays?: number | null },
  problems: Problem[],
): { timeRespecting: boolean; maxSpanDays: number | null } {
  const timeRespecting = where.timeRespecting ?? false;
  const maxSpanDays = where.maxSpanDays ?? null;
  if (maxSpanDays !== null && !timeRespecting) {
    problems.push({
      field: 'where.maxSpanDays',
      message: 'applies only with timeRespecting: true',
    });
  }
  if (maxSpanDays !== null && maxSpanDays < 0) {
    problems.push({ field: 'where.maxSpanDays', message: 'must not be negative' });
  }
  return { timeRespecting, maxSpanDays };
}

function checkLength(value: number, field: string, min: number, problems: Problem[]): void {
  if (value < min || value > MAX_FLOW_LENGTH) {
    problems.push({ field, message: `must be from ${min} to ${MAX_FLOW_LENGTH} (the hard cap)` });
  }
}

/** Top-level parents of the given ids, in order and without repeats; unknown ids are problems. */
async function roots(
  stores: Stores,
  ids: readonly string[],
  field: string,
  problems: Problem[],
): Promise<string[]> {
  const map = await stores.cycles.rootIds(ids);
  const out: string[] = [];
  ids.forEach((id, i) => {
    const root = map.get(id);
    if (!root) problems.push({ field: `${field}[${i}]`, message: `no company with id '${id}'` });
    else if (!out.includes(root)) out.push(root);
  });
  return out;
}

/** Of two inclusive upper date bounds, the earlier (a month bound is its last day). */
export function earlierBound(a: string | null | undefined, b: string | null | undefined) {
  if (!a) return b ?? null;
  if (!b) return a;
  return upperDateKey(b) < upperDateKey(a) ? b : a;
}

/**
 * `where` with `asOf` folded into its deal filter's `to` (the earlier bound applies), so "as of a
 * date" means exactly what `where.deals.to` means: a month is the whole month, undated deals drop
 * out. An `asOf` before `where.deals.from` is refused, naming `asOf`.
 */
export function whereAsOf(
  where: CycleFilter | null | undefined,
  asOf: string | null | undefined,
): CycleFilter | null | undefined {
  if (!asOf) return where;
  const deals = where?.deals ?? {};
  if (deals.from && dateKey(deals.from) > upperDateKey(asOf))
    throw badInput([{ field: 'asOf', message: 'must not be before where.deals.from' }]);
  return { ...where, deals: { ...deals, to: earlierBound(deals.to, asOf) } };
}

/** The deal filter of a cycle or path search given no `deals` filter and no time condition. */
export function defaultFlowFilter(): FlowFilter {
  return flowFilter(null, false, 'where.deals', []);
}

export async function cycleQuery(
  stores: Stores,
  where: CycleFilter | null | undefined,
  orderBy: CycleOrder | null | undefined,
  alsoThrough: string[] = [],
): Promise<CycleQuery> {
  const w = where ?? {};
  const problems: Problem[] = [];
  const minLength = w.minLength ?? 2;
  const maxLength = w.maxLength ?? DEFAULT_MAX_LENGTH;
  checkLength(minLength, 'where.minLength', 2, problems);
  checkLength(maxLength, 'where.maxLength', 2, problems);
  if (minLength > maxLength)
    problems.push({ field: 'where.minLength', message: 'must not exceed maxLength' });
  const time = timeCondition(w, problems);
  const filter = flowFilter(w.deals, time.timeRespecting, 'where.deals', problems);
  const through = await roots(
    stores,
    [...alsoThrough, ...(w.through ?? [])],
    'where.through',
    problems,
  );
  if (through.length > maxLength) {
    problems.push({
      field: 'where.through',
      message: `names ${through.length} companies; a cycle of at most ${maxLength} cannot pass them all`,
    });
  }
  if (problems.length) throw badInput(problems);
  return {
    through,
    minLength,
    maxLength,
    filter,
    mix: w.mix ?? 'INVESTMENT_AND_COMMITMENT',
    ...time,
    order: { field: orderBy?.field ?? 'TOTAL_AMOUNT', direction: orderBy?.direction ?? 'DESC' },
  };
}

export async function pathQuery(
  stores: Stores,
  args: {
    from: string;
    to: string;
    maxLength?: number | null;
    where?: MoneyPathFilter | null;
    orderBy?: MoneyPathOrder | null;
  },
): Promise<PathQuery> {
  const problems: Problem[] = [];
  const maxLength = args.maxLength ?? DEFAULT_MAX_LENGTH;
  checkLength(maxLength, 'maxLength', 1, problems);
  const time = timeCondition(args.where ?? {}, problems);
  const filter = flowFilter(args.where?.deals, time.timeRespecting, 'where.deals', problems);
  const map = await stores.cycles.rootIds([args.from, args.to]);
  const fromRoot = map.get(args.from);
  const toRoot = map.get(args.to);
  if (!fromRoot) problems.push({ field: 'from', message: `no company with id '${args.from}'` });
  if (!toRoot) problems.push({ field: 'to', message: `no company with id '${args.to}'` });
  if (fromRoot && fromRoot === toRoot) {
    problems.push({
      field: 'to',
      message: `'${args.from}' and '${args.to}' roll up to the same company ('${fromRoot}'); for money that comes back, query cycles`,
    });
  }
  if (problems.length || !fromRoot || !toRoot) throw badInput(problems);
  return {
    fromRoot,
    toRoot,
    maxLength,
    filter,
    ...time,
    order: {
      field: args.orderBy?.field ?? 'TOTAL_AMOUNT',
      direction: args.orderBy?.direction ?? 'DESC',
    },
  };
}
