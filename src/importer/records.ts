/**
 * What the importer reads, whatever the file: one record at a time, with where it is in the file
 * (for the rejection report) and what the reader already found wrong with it. A JSON dataset
 * (an object in memory, or a file streamed by jsonFile.ts) and CSV files (csvFiles.ts) are
 * readers; the importer reads one twice at most and never holds a whole file.
 */
import type { Problem } from '../errors.js';
import type { DealType } from '../stores/rows.js';

export const FORMAT_VERSION = 1;

/** Where a record is: a section of a JSON dataset, or a CSV file of companies or deals. */
export type Section = 'companies' | 'investments' | 'commitments' | 'deals';

export interface DatasetRecord {
  section: Section;
  /** Position in the section: a list index (JSON) or a line number (CSV). */
  index: number;
  /** The position as the report gives it, and the prefix of its problems' fields:
   * `investments[3]`, `deals.csv:5`. */
  at: string;
  kind: 'company' | 'deal';
  /** For deals: its type, or null when the record does not say a valid one (CSV). */
  dealType: DealType | null;
  /** The record in the JSON format's shape (README, Bulk import), checked by domain/validate. */
  record: unknown;
  /** What the reader found wrong already: unknown fields, a missing or unknown type. */
  problems: Problem[];
  /** The fields naming the payer and the payee (default: the JSON format's, by type). */
  sides?: readonly [from: string, to: string];
  /** How the file names a field of the JSON shape (CSV: `sources[0].url` is `source1Url`). */
  fieldName?: (field: string) => string;
}

/** A dataset that can be read record by record, as often as the importer needs. */
export interface DatasetReader {
  records(): AsyncIterable<DatasetRecord>;
}

/** A problem with the file as a whole: nothing is imported. */
export class DatasetError extends Error {}

export const KEYS = {
  top: ['formatVersion', 'companies', 'investments', 'commitments'],
  companies: ['id', 'name', 'aliases', 'sectors', 'country', 'website', 'parentId'],
  investments: [
    'id',
    'investorId',
    'investeeId',
    'amountUsd',
    'amountIsUpperBound',
    'quantity',
    'announcedOn',
    'status',
    'instrument',
    'note',
    'sources',
  ],
  commitments: [
    'id',
    'customerId',
    'providerId',
    'kind',
    'amountUsd',
    'amountIsUpperBound',
    'quantity',
    'announcedOn',
    'term',
    'status',
    'note',
    'sources',
  ],
} as const;

type JsonSection = 'companies' | 'investments' | 'commitments';
export const JSON_SECTIONS: readonly JsonSection[] = ['companies', 'investments', 'commitments'];

function unknownKeys(record: unknown, allowed: readonly string[], prefix: string): Problem[] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return [];
  return Object.keys(record)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({
      field: `${prefix}.${k}`,
      message: `unknown field; allowed: ${allowed.join(', ')}`,
    }));
}

/** One element of a section of the JSON format, as the importer reads it. */
export function jsonRecord(section: JsonSection, index: number, record: unknown): DatasetRecord {
  const at = `${section}[${index}]`;
  return {
    section,
    index,
    at,
    kind: section === 'companies' ? 'company' : 'deal',
    dealType:
      section === 'investments' ? 'INVESTMENT' : section === 'commitments' ? 'COMMITMENT' : null,
    record,
    problems: unknownKeys(record, KEYS[section], at),
  };
}

/** The top-level key problems of a JSON dataset, as DatasetError messages. */
export function unknownTopLevelKey(key: string): string {
  return `$.${key}: unknown field; allowed: ${KEYS.top.join(', ')}`;
}

export function formatVersionProblem(value: unknown): string | null {
  return value === FORMAT_VERSION
    ? null
    : `formatVersion must be ${FORMAT_VERSION}, got ${JSON.stringify(value)}.`;
}

export const NOT_AN_OBJECT =
  'The dataset must be a JSON object with formatVersion, companies, investments and commitments.';

/** A dataset already in memory (data/seed.json parsed, a test's fixture). */
export function objectReader(data: unknown): DatasetReader {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DatasetError(NOT_AN_OBJECT);
  }
  const file = data as Record<string, unknown>;
  const extra = Object.keys(file).filter((k) => !(KEYS.top as readonly string[]).includes(k));
  if (extra.length) throw new DatasetError(extra.map(unknownTopLevelKey).join('; '));
  const version = formatVersionProblem(file.formatVersion);
  if (version) throw new DatasetError(version);
  const sections = JSON_SECTIONS.map((name) => {
    const value = file[name] ?? [];
    if (!Array.isArray(value)) throw new DatasetError(`${name} must be a list.`);
    return [name, value as unknown[]] as const;
  });
  return {
    async *records() {
      for (const [name, list] of sections) {
        for (let i = 0; i < list.length; i++) yield jsonRecord(name, i, list[i]);
      }
    },
  };
}
