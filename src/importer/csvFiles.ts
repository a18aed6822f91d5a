/**
 * The spreadsheets analysts keep, as CSV: a companies file and a deals file (investments and
 * commitments in one, told apart by a `type` column; sources as numbered columns). Each row
 * becomes a record of the JSON format's shape and goes through the same checks, so a row is
 * accepted or rejected for the same reasons and with the same messages as a JSON record; the
 * report names rows by file and line (`deals.csv:7`) and fields by their columns. The columns are
 * in the README (Bulk import). Files are streamed with csv-parse: memory does not grow with them.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { CsvError, parse } from 'csv-parse';
import type { Problem } from '../errors.js';
import type { DealType } from '../stores/rows.js';
import { DatasetError, type DatasetReader, type DatasetRecord } from './records.js';

export const COMPANY_COLUMNS = [
  'id',
  'name',
  'aliases',
  'sectors',
  'country',
  'website',
  'parentId',
] as const;

export const DEAL_COLUMNS = [
  'type',
  'id',
  'fromId',
  'toId',
  'amountUsd',
  'amountIsUpperBound',
  'quantityValue',
  'quantityUnit',
  'announcedOn',
  'status',
  'instrument',
  'kind',
  'term',
  'note',
] as const;

/** Source columns: `source1Publisher`, `source1Title`, `source1Url`, `source1PublishedOn`, 2, ... */
const SOURCE_COLUMN = /^source([1-9][0-9]?)(Publisher|Title|Url|PublishedOn)$/;
const SOURCE_FIELDS = ['Publisher', 'Title', 'Url', 'PublishedOn'] as const;

/** Lists in one cell (aliases, sectors) are separated by semicolons. */
const LIST_SEPARATOR = ';';

const REQUIRED = {
  companies: ['id', 'name'],
  deals: ['type', 'id', 'fromId', 'toId', 'status', 'source1Publisher'],
} as const;

const TYPES: Record<string, DealType> = { INVESTMENT: 'INVESTMENT', COMMITMENT: 'COMMITMENT' };
/** Columns that belong to one type of deal only. */
const ONLY_FOR: Record<string, DealType> = {
  instrument: 'INVESTMENT',
  kind: 'COMMITMENT',
  term: 'COMMITMENT',
};

/**
 * Field paths of the JSON shape, named as the CSV columns name them; `sourceNumbers[i]` is the
 * column number of the row's i-th source (empty source columns are skipped).
 */
function columnName(field: string, sourceNumbers: readonly number[] = []): string {
  return field
    .replace(/^sources\[(\d+)\]\.(\w+)$/, (_, i: string, f: string) => {
      const n = sourceNumbers[Number(i)] ?? Number(i) + 1;
      return `source${n}${f[0]!.toUpperCase()}${f.slice(1)}`;
    })
    .replace(/^sources(\[\d+\])?$/, 'source1Publisher')
    .replace(
      /^quantity\.(value|unit)$/,
      (_, f: string) => `quantity${f[0]!.toUpperCase()}${f.slice(1)}`,
    )
    .replace(/^quantity$/, 'quantityValue');
}

function cellText(cell: string | undefined): string | undefined {
  const text = cell?.trim();
  return text ? text : undefined;
}

/** A number when the cell holds one; else the text, which the checks then refuse. */
function cellNumber(cell: string | undefined): number | string | undefined {
  const text = cellText(cell);
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

function cellBoolean(cell: string | undefined): boolean | string | undefined {
  const text = cellText(cell);
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : text;
}

function cellList(cell: string | undefined): string[] | undefined {
  const text = cellText(cell);
  return text === undefined
    ? undefined
    : text
        .split(LIST_SEPARATOR)
        .map((s) => s.trim())
        .filter(Boolean);
}

type Kind = 'companies' | 'deals';

/** Which file is which: by name (`companies.csv`, `2026-q1-deals.csv`). */
export function csvKind(file: string): Kind | null {
  const name = path.basename(file).toLowerCase();
  if (name.endsWith('companies.csv')) return 'companies';
  if (name.endsWith('deals.csv')) return 'deals';
  return null;
}

/** Checks the header row; returns the column index of each known column. */
function readHeader(kind: Kind, name: string, header: string[]): Map<string, number> {
  const columns = new Map<string, number>();
  const allowed: readonly string[] = kind === 'companies' ? COMPANY_COLUMNS : DEAL_COLUMNS;
  header.forEach((raw, i) => {
    const column = raw.trim();
    if (!allowed.includes(column) && !(kind === 'deals' && SOURCE_COLUMN.test(column))) {
      const sources =
        kind === 'deals'
          ? ', source1Publisher, source1Title, source1Url, source1PublishedOn, 2...'
          : '';
      throw new DatasetError(
        `${name}: unknown column '${column}'; columns: ${allowed.join(', ')}${sources}`,
      );
    }
    if (columns.has(column)) throw new DatasetError(`${name}: column '${column}' appears twice`);
    columns.set(column, i);
  });
  const missing = REQUIRED[kind].filter((c) => !columns.has(c));
  if (missing.length) {
    throw new DatasetError(`${name}: the header has no ${missing.join(', ')} column`);
  }
  return columns;
}

function companyRecord(cell: (column: string) => string | undefined): Record<string, unknown> {
  return {
    id: cellText(cell('id')),
    name: cellText(cell('name')),
    aliases: cellList(cell('aliases')),
    sectors: cellList(cell('sectors')),
    country: cellText(cell('country')),
    website: cellText(cell('website')),
    parentId: cellText(cell('parentId')),
  };
}

function dealRecord(
  cell: (column: string) => string | undefined,
  sourceNumbers: number[],
  at: string,
): {
  dealType: DealType | null;
  record: Record<string, unknown>;
  problems: Problem[];
  used: number[];
} {
  const problems: Problem[] = [];
  const typeText = cellText(cell('type'));
  const dealType = typeText ? (TYPES[typeText.toUpperCase()] ?? null) : null;
  if (!dealType) {
    problems.push({
      field: `${at}.type`,
      message: typeText
        ? `'${typeText}' is not one of INVESTMENT, COMMITMENT`
        : 'is required: one of INVESTMENT, COMMITMENT',
    });
  }
  for (const [column, only] of Object.entries(ONLY_FOR)) {
    if (dealType && dealType !== only && cellText(cell(column)) !== undefined) {
      problems.push({
        field: `${at}.${column}`,
        message: `applies to ${only === 'INVESTMENT' ? 'investments' : 'commitments'} only`,
      });
    }
  }
  const quantityValue = cellNumber(cell('quantityValue'));
  const quantityUnit = cellText(cell('quantityUnit'));
  const used = sourceNumbers.filter((n) =>
    SOURCE_FIELDS.some((f) => cellText(cell(`source${n}${f}`)) !== undefined),
  );
  const sources = used.map((n) => {
    const [publisher, title, url, publishedOn] = SOURCE_FIELDS.map((f) =>
      cellText(cell(`source${n}${f}`)),
    );
    return { publisher, title, url, publishedOn };
  });
  return {
    dealType,
    problems,
    used,
    record: {
      id: cellText(cell('id')),
      fromId: cellText(cell('fromId')),
      toId: cellText(cell('toId')),
      amountUsd: cellNumber(cell('amountUsd')),
      amountIsUpperBound: cellBoolean(cell('amountIsUpperBound')),
      quantity:
        quantityValue === undefined && quantityUnit === undefined
          ? undefined
          : { value: quantityValue, unit: quantityUnit },
      announcedOn: cellText(cell('announcedOn')),
      status: cellText(cell('status')),
      instrument: dealType === 'INVESTMENT' ? cellText(cell('instrument')) : undefined,
      kind: dealType === 'COMMITMENT' ? cellText(cell('kind')) : undefined,
      term: dealType === 'COMMITMENT' ? cellText(cell('term')) : undefined,
      note: cellText(cell('note')),
      sources,
    },
  };
}

/**
 * How a record names its fields, made outside the read loop: the import keeps this function of
 * every record until its report is written, and a closure made in the loop would keep the loop's
 * scope alive with it, the row and the record included (a 100k-deal CSV ran out of a 128 MB heap
 * after 5,000 rows).
 */
const companyFieldName = (field: string): string => columnName(field);
function dealFieldName(used: readonly number[]): (field: string) => string {
  return (field) => columnName(field, used);
}

async function* csvRecords(file: string, kind: Kind): AsyncIterable<DatasetRecord> {
  const name = path.basename(file);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, info: true, skip_empty_lines: true }),
  );
  let columns: Map<string, number> | undefined;
  let sourceNumbers: number[] = [];
  try {
    for await (const { record: row, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!columns) {
        columns = readHeader(kind, name, row);
        sourceNumbers = [
          ...new Set(
            [...columns.keys()].flatMap((c) => {
              const m = SOURCE_COLUMN.exec(c);
              return m ? [Number(m[1])] : [];
            }),
          ),
        ].sort((a, b) => a - b);
        continue;
      }
      const at = `${name}:${info.lines}`;
      const cell = (column: string): string | undefined => {
        const i = columns!.get(column);
        return i === undefined ? undefined : row[i];
      };
      if (kind === 'companies') {
        yield {
          section: 'companies',
          index: info.lines,
          at,
          kind: 'company',
          dealType: null,
          record: companyRecord(cell),
          problems: [],
          fieldName: companyFieldName,
        };
      } else {
        const { dealType, record, problems, used } = dealRecord(cell, sourceNumbers, at);
        yield {
          section: 'deals',
          index: info.lines,
          at,
          kind: 'deal',
          dealType,
          record,
          problems,
          sides: ['fromId', 'toId'],
          fieldName: dealFieldName(used),
        };
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw new DatasetError(`${name}: ${error.message}`);
    throw error;
  }
  if (!columns) throw new DatasetError(`${name}: the file is empty (it needs a header row)`);
}

/** CSV files, companies first: `companies` and `deals` are paths, either may be left out. */
export function csvReader(files: { companies?: string; deals?: string }): DatasetReader {
  return {
    async *records() {
      if (files.companies) yield* csvRecords(files.companies, 'companies');
      if (files.deals) yield* csvRecords(files.deals, 'deals');
    },
  };
}
