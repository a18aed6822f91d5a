/**
 * Dates at day or month precision, `YYYY-MM-DD` or `YYYY-MM`. Stored as given, plus a sort key
 * (`YYYY-MM-DD`, a month counting as its first day) that orders and compares as a string.
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
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    if (day < 1 || day > daysInMonth) return `'${value}' has no day ${d}`;
  }
  return undefined;
}

export function isPartialDate(value: string): boolean {
  return partialDateProblem(value) === undefined;
}

/** `2025-09` -> `2025-09-01`; `2025-09-15` stays. Assumes a valid partial date. */
export function dateKey(value: string): string {
  return value.length === 7 ? `${value}-01` : value;
}

/**
 * The key of a date as an inclusive upper bound, where a month includes the whole month:
 * `2025-09` -> `2025-09-31` (every day of it sorts at or before that); `2025-09-15` stays.
 */
export function upperDateKey(value: string): string {
  return value.length === 7 ? `${value}-31` : value;
}
