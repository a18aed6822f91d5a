/**
 * Dates in a sentence, as partial dates (`YYYY-MM-DD` or `YYYY-MM`): `September 22, 2025`,
 * `Sept. 18, 2025`, `22 September 2025`, `September 2025`, `2025-09-22`, `2025-09`. A bare year
 * is not a date here (`in 2027` is rarely the announcement). Dates right after `through`, `until`,
 * `starting`, `from`, `by` or `to` name a term, not when a deal was announced, and are skipped.
 */
import { isPartialDate } from '../domain/partialDate.js';

export interface DateMention {
  start: number;
  end: number;
  date: string;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const MONTH = String.raw`(?<month>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)`;

const PATTERNS = [
  // 22 September 2025
  new RegExp(
    String.raw`\b(?<day>\d{1,2})(?:st|nd|rd|th)?\s+${MONTH}\s+(?<year>(?:19|20|21)\d{2})\b`,
    'g',
  ),
  // September 22, 2025 / Sept. 18 2025 / September 2025
  new RegExp(
    String.raw`\b${MONTH}\s+(?:(?<day>\d{1,2})(?:st|nd|rd|th)?,?\s+)?(?<year>(?:19|20|21)\d{2})\b`,
    'g',
  ),
  // 2025-09-22 / 2025-09
  /\b(?<year>(?:19|20|21)\d{2})-(?<monthNumber>\d{2})(?:-(?<day>\d{2}))?\b/g,
];

const TERM_BEFORE =
  /\b(?:through|thru|until|till|starting|beginning|from|by|to|before|after|ending|expires?)\s+(?:in\s+|on\s+)?$/i;

export function findDates(sentence: string): DateMention[] {
  const found: DateMention[] = [];
  for (const pattern of PATTERNS) {
    for (const m of sentence.matchAll(pattern)) {
      const g = m.groups ?? {};
      const month = g.monthNumber
        ? Number(g.monthNumber)
        : MONTHS[(g.month ?? '').toLowerCase().slice(0, 3)];
      if (!month) continue;
      const start = m.index;
      const end = start + m[0].length;
      if (found.some((f) => f.start < end && start < f.end)) continue;
      if (TERM_BEFORE.test(sentence.slice(Math.max(0, start - 20), start))) continue;
      const ym = `${g.year}-${String(month).padStart(2, '0')}`;
      const date = g.day ? `${ym}-${g.day.padStart(2, '0')}` : ym;
      if (isPartialDate(date)) found.push({ start, end, date });
      else if (isPartialDate(ym)) found.push({ start, end, date: ym });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
