/**
 * Dates at day or month precision, `YYYY-MM-DD` or `YYYY-MM`.
 *
 * One meaning everywhere: a date known to the month is the whole month, the range of days it may
 * be. Another date is before it only when it is before the month's first day, after it only when
 * after its last day; a date within the month may be either, so its order against the month is
 * unknown. Filters keep a deal when its whole range lies in the window, and a time-respecting
 * sequence needs each date to come no earlier than the whole of the previous one. So learning a
 * more precise date can only settle an order, never undo one.
 *
 * Stored as given, plus a sort key (`YYYY-MM-DD`, the range's first day) that orders as a string;
 * sorting by it never contradicts an order that is known.
 */
const PARTIAL_DATE = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

/** The error text for a bad date, or undefined when `value` is a valid partial date. */
export function partialDateProblem(value: string): string | undefined {
  const match = PARTIAL_DATE.exec(value);
  if (!match) return `'${value}' is not a date; use YYYY-MM-DD or YYYY-MM`;
  const [, y, m, d] = match;
  const year = Number(y);
  const month = Number(m);
  if (year < 1900 || year > 2200) return `'${value}' has a year outside 1900-2200`;
  if (month < 1 || month > 12) return `'${value}' has no month ${m}`;
  if (d !== undefined) {
    const day = Number(d);
    if (day < 1 || day > daysInMonth(year, month)) return `'${value}' has no day ${d}`;
  }
  return undefined;
}

export function isPartialDate(value: string): boolean {
  return partialDateProblem(value) === undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The first day the date may be: `2025-09` -> `2025-09-01`; `2025-09-15` stays. */
export function dateKey(value: string): string {
  return value.length === 7 ? `${value}-01` : value;
}

/** The last day the date may be: `2025-09` -> `2025-09-30`; `2025-09-15` stays. */
export function lastDateKey(value: string): string {
  if (value.length !== 7) return value;
  const days = daysInMonth(Number(value.slice(0, 4)), Number(value.slice(5, 7)));
  return `${value}-${String(days).padStart(2, '0')}`;
}

/** The key of a date as an inclusive upper bound: its last day (a month bound includes it all). */
export function upperDateKey(value: string): string {
  return lastDateKey(value);
}

/**
 * The latest month (`YYYY-MM`) that lies wholly on or before `key` (a `YYYY-MM-DD` upper bound):
 * a deal dated to the month passes an upper bound only if its whole month does. `2025-09-30` ->
 * `2025-09`; `2025-09-15` -> `2025-08`; `2025-01-15` -> `2024-12`.
 */
export function lastWholeMonth(key: string): string {
  const month = key.slice(0, 7);
  if (lastDateKey(month) === key) return month;
  const year = Number(key.slice(0, 4));
  const m = Number(key.slice(5, 7));
  return m === 1 ? `${year - 1}-12` : `${key.slice(0, 4)}-${String(m - 1).padStart(2, '0')}`;
}
