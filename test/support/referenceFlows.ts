/**
 * An independent, deliberately naive implementation of the circular-deal semantics (README,
 * "Circular deals"), for property tests: brute force over sequences of companies and over every
 * choice of one deal per step. It shares no code with src/.
 */

export interface RefCompany {
  id: string;
  parentId?: string;
}

export interface RefDeal {
  id: string;
  type: 'INVESTMENT' | 'COMMITMENT';
  from: string;
  to: string;
  amountUsd: number | null;
  /** YYYY-MM or YYYY-MM-DD, or null. */
  announcedOn: string | null;
  status: string;
  kind: string | null;
}

export interface RefFilter {
  through?: string[];
  minLength?: number;
  maxLength?: number;
  minAmountUsd?: number;
  includeUnknownAmounts?: boolean;
  from?: string;
  to?: string;
  statuses?: string[];
  commitmentKinds?: string[];
  types?: ('INVESTMENT' | 'COMMITMENT')[];
  mix?: 'INVESTMENT_AND_COMMITMENT' | 'ANY';
  timeRespecting?: boolean;
  maxSpanDays?: number;
}

export interface RefCycle {
  id: string;
  stepDealIds: string[][];
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
  timeRespecting: boolean;
}

function day(date: string): string {
  return date.length === 7 ? `${date}-01` : date;
}

function lastDay(date: string): string {
  if (date.length !== 7) return date;
  const [y, m] = date.split('-').map(Number) as [number, number];
  return `${date}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

export function rootOf(companies: RefCompany[], id: string): string {
  const parent = new Map(companies.map((c) => [c.id, c.parentId]));
  let at = id;
  while (parent.get(at)) at = parent.get(at) as string;
  return at;
}

function passes(d: RefDeal, f: RefFilter): boolean {
  if (f.types?.length && !f.types.includes(d.type)) return false;
  if (
    f.commitmentKinds?.length &&
    d.type === 'COMMITMENT' &&
    !f.commitmentKinds.includes(d.kind as string)
  )
    return false;
  // Without a status list, every status but CANCELLED: a deal that fell through closes nothing.
  if (f.statuses?.length ? !f.statuses.includes(d.status) : d.status === 'CANCELLED') return false;
  if (f.from && (d.announcedOn === null || day(d.announcedOn) < day(f.from))) return false;
  // Every day the deal may be lies in the window.
  if (f.to && (d.announcedOn === null || lastDay(d.announcedOn) > lastDay(f.to))) return false;
  const includeUnknown = f.includeUnknownAmounts ?? f.minAmountUsd === undefined;
  if (d.amountUsd === null) return includeUnknown;
  return f.minAmountUsd === undefined || d.amountUsd >= f.minAmountUsd;
}

/** Every way of choosing one element from each list. */
function* choices<T>(lists: T[][]): Generator<T[]> {
  if (lists.length === 0) {
    yield [];
    return;
  }
  const [head, ...tail] = lists as [T[], ...T[][]];
  for (const rest of choices(tail)) for (const x of head) yield [x, ...rest];
}

/** Every day a date may be: one day, or each day of a month. */
function possibleDays(date: string): string[] {
  if (date.length !== 7) return [date];
  const days: string[] = [];
  for (let d = 1; `${date}-${String(d).padStart(2, '0')}` <= lastDay(date); d++)
    days.push(`${date}-${String(d).padStart(2, '0')}`);
  return days;
}

/**
 * One deal per step whose dates never go backwards, and lie within the span, WHICHEVER of their
 * possible days the month-precision dates turn out to be (a month is the whole month).
 */
function chronological(steps: RefDeal[][], maxSpanDays: number | undefined): boolean {
  const dated = steps.map((s) => s.filter((d) => d.announcedOn !== null));
  for (const pick of choices(dated)) {
    const days = pick.map((d) => possibleDays(d.announcedOn as string));
    const ordered = days.every(
      (next, i) => i === 0 || (days[i - 1] as string[]).every((p) => next.every((n) => p <= n)),
    );
    const spans = (days[0] as string[]).flatMap((a) =>
      (days.at(-1) as string[]).map((b) => (Date.parse(b) - Date.parse(a)) / 86_400_000),
    );
    if (ordered && (maxSpanDays === undefined || spans.every((span) => span <= maxSpanDays)))
      return true;
  }
  return false;
}

export function referenceCycles(
  companies: RefCompany[],
  deals: RefDeal[],
  f: RefFilter,
): RefCycle[] {
  const roots = [...new Set(companies.map((c) => rootOf(companies, c.id)))].sort();
  const stepDeals = (a: string, b: string): RefDeal[] =>
    deals.filter(
      (d) =>
        rootOf(companies, d.from) === a && rootOf(companies, d.to) === b && a !== b && passes(d, f),
    );
  const through = [...new Set((f.through ?? []).map((id) => rootOf(companies, id)))];
  const out: RefCycle[] = [];

  const visit = (seq: string[]): void => {
    const min = f.minLength ?? 2;
    const max = f.maxLength ?? 4;
    if (seq.length >= min && seq.length >= 2) {
      const steps = seq.map((c, i) => stepDeals(c, seq[(i + 1) % seq.length] as string));
      if (steps.every((s) => s.length > 0)) consider(seq, steps);
    }
    if (seq.length === max) return;
    // Canonical rotation: the first company is the smallest, so later ones are larger.
    for (const next of roots)
      if (next > (seq[0] as string) && !seq.includes(next)) visit([...seq, next]);
  };

  const consider = (seq: string[], steps: RefDeal[][]): void => {
    if (!through.every((t) => seq.includes(t))) return;
    const all = steps.flat();
    if ((f.mix ?? 'INVESTMENT_AND_COMMITMENT') === 'INVESTMENT_AND_COMMITMENT') {
      if (!all.some((d) => d.type === 'INVESTMENT') || !all.some((d) => d.type === 'COMMITMENT'))
        return;
    }
    const timeRespecting = steps.some((_, i) =>
      chronological([...steps.slice(i), ...steps.slice(0, i)], f.maxSpanDays),
    );
    if (f.timeRespecting && !timeRespecting) return;
    const known = (type: string) =>
      all
        .filter((d) => d.type === type && d.amountUsd !== null)
        .reduce((s, d) => s + (d.amountUsd as number), 0);
    const unknown = (type: string) =>
      all.filter((d) => d.type === type && d.amountUsd === null).length;
    const [invested, committed] = [known('INVESTMENT'), known('COMMITMENT')];
    const [investedUnknown, committedUnknown] = [unknown('INVESTMENT'), unknown('COMMITMENT')];
    // The ratio is only reported when the known amounts determine it, or bound it from below.
    const ratioKnown =
      invested > 0 && investedUnknown === 0 && !(committed === 0 && committedUnknown > 0);
    const stepAmounts = steps.map((s) =>
      s.some((d) => d.amountUsd !== null)
        ? s.reduce((sum, d) => sum + (d.amountUsd ?? 0), 0)
        : null,
    );
    const dated = all
      .filter((d) => d.announcedOn !== null)
      .sort((a, b) => day(a.announcedOn as string).localeCompare(day(b.announcedOn as string)));
    out.push({
      id: seq.join('>'),
      stepDealIds: steps.map((s) => s.map((d) => d.id).sort()),
      investedUsd: invested,
      committedUsd: committed,
      investedUnknownCount: investedUnknown,
      committedUnknownCount: committedUnknown,
      roundTripRatio: ratioKnown ? committed / invested : null,
      roundTripRatioIsLowerBound: ratioKnown && committedUnknown > 0,
      bottleneckUsd: stepAmounts.includes(null) ? null : Math.min(...(stepAmounts as number[])),
      bottleneckIsLowerBound:
        !stepAmounts.includes(null) && steps.some((s) => s.some((d) => d.amountUsd === null)),
      firstDate: dated[0]?.announcedOn ?? null,
      lastDate: dated.at(-1)?.announcedOn ?? null,
      timeRespecting,
    });
  };

  for (const start of roots) visit([start]);
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Whether a cycle, given as its steps' backing deals in order around the loop, is time-respecting
 * by the reference's rule: some starting step and one deal per step from there are in order.
 */
export function referenceTimeRespecting(
  steps: RefDeal[][],
  maxSpanDays: number | undefined,
): boolean {
  return steps.some((_, i) =>
    chronological([...steps.slice(i), ...steps.slice(0, i)], maxSpanDays),
  );
}
