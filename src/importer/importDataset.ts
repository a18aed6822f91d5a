/**
 * The bulk import: a JSON dataset (format in the README; data/seed.json uses it) checked record
 * by record with the same rules as the mutations, then written in batched transactions.
 * Re-importing the same file changes nothing: every write is an idempotent upsert by id.
 */
import {
  DEAL_SIDES,
  checkCompany,
  checkDeal,
  type CompanyWrite,
  type DealWrite,
} from '../domain/validate.js';
import type { Problem } from '../errors.js';
import type { Stores } from '../stores/index.js';
import type { DealType } from '../stores/rows.js';

export const FORMAT_VERSION = 1;

const KEYS = {
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

type Section = 'companies' | 'investments' | 'commitments';

export interface Rejection {
  section: Section;
  index: number;
  id: string | null;
  problems: Problem[];
}

export interface ImportReport {
  dryRun: boolean;
  accepted: Record<Section, number>;
  rejections: Rejection[];
}

export interface ImportOptions {
  dryRun?: boolean;
  /** Refuse the whole file when any record is rejected. */
  strict?: boolean;
  batchSize?: number;
  onProgress?: (message: string) => void;
}

/** A problem with the file as a whole: nothing is imported. */
export class DatasetError extends Error {}

function unknownKeys(record: unknown, allowed: readonly string[], prefix: string): Problem[] {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return [];
  return Object.keys(record)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({
      field: `${prefix}.${k}`,
      message: `unknown field; allowed: ${allowed.join(', ')}`,
    }));
}

function idOf(record: unknown): string | null {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

/** Orders companies so that each parent in the batch is written before its subsidiaries. */
function parentsFirst(companies: CompanyWrite[]): CompanyWrite[] {
  const byId = new Map(companies.map((c) => [c.id, c]));
  const done = new Set<string>();
  const ordered: CompanyWrite[] = [];
  const visit = (c: CompanyWrite, seen: Set<string>): void => {
    if (done.has(c.id) || seen.has(c.id)) return;
    seen.add(c.id);
    const parent = c.parentId ? byId.get(c.parentId) : undefined;
    if (parent) visit(parent, seen);
    done.add(c.id);
    ordered.push(c);
  };
  for (const c of companies) visit(c, new Set());
  return ordered;
}

/**
 * Company ids whose parent chain loops back to them once the file is written: the file's parent
 * links replace the stored ones of the companies it holds; `stored` has the others.
 */
function parentCycles(companies: CompanyWrite[], stored: Map<string, string>): Set<string> {
  const parentOf = new Map<string, string | null>(stored);
  for (const c of companies) parentOf.set(c.id, c.parentId);
  const cyclic = new Set<string>();
  for (const c of companies) {
    const seen = new Set<string>();
    let at: string | null | undefined = c.id;
    while (at && !seen.has(at)) {
      seen.add(at);
      at = parentOf.get(at);
    }
    if (at === c.id) cyclic.add(c.id);
  }
  return cyclic;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function importDataset(
  stores: Stores,
  data: unknown,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const { dryRun = false, strict = false, batchSize = 500, onProgress = () => {} } = options;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new DatasetError(
      'The dataset must be a JSON object with formatVersion, companies, investments and commitments.',
    );
  }
  const file = data as Record<string, unknown>;
  const extra = unknownKeys(file, KEYS.top, '$');
  if (extra.length) throw new DatasetError(extra.map((p) => `${p.field}: ${p.message}`).join('; '));
  if (file.formatVersion !== FORMAT_VERSION) {
    throw new DatasetError(
      `formatVersion must be ${FORMAT_VERSION}, got ${JSON.stringify(file.formatVersion)}.`,
    );
  }
  const section = (name: Section): unknown[] => {
    const value = file[name] ?? [];
    if (!Array.isArray(value)) throw new DatasetError(`${name} must be a list.`);
    return value;
  };
  const rawCompanies = section('companies');
  const rawDeals: [Section, DealType, unknown[]][] = [
    ['investments', 'INVESTMENT', section('investments')],
    ['commitments', 'COMMITMENT', section('commitments')],
  ];

  const rejections: Rejection[] = [];
  const reject = (s: Section, index: number, record: unknown, problems: Problem[]): void => {
    rejections.push({ section: s, index, id: idOf(record), problems });
  };

  // 1. Companies, on their own.
  let companies: { index: number; row: CompanyWrite }[] = [];
  const firstIndex = new Map<string, string>();
  rawCompanies.forEach((record, index) => {
    const prefix = `companies[${index}]`;
    const checked = checkCompany(record, prefix);
    const problems = [
      ...unknownKeys(record, KEYS.companies, prefix),
      ...(checked.ok ? [] : checked.problems),
    ];
    const id = idOf(record);
    if (id && firstIndex.has(id))
      problems.push({
        field: `${prefix}.id`,
        message: `duplicate id, first used at ${firstIndex.get(id)}`,
      });
    else if (id) firstIndex.set(id, prefix);
    if (problems.length || !checked.ok) reject('companies', index, record, problems);
    else companies.push({ index, row: checked.value });
  });

  // 2. Deals, on their own.
  const deals: { section: Section; index: number; row: DealWrite }[] = [];
  for (const [name, type, records] of rawDeals) {
    records.forEach((record, index) => {
      const prefix = `${name}[${index}]`;
      const checked = checkDeal(type, record, prefix);
      const problems = [
        ...unknownKeys(record, KEYS[name], prefix),
        ...(checked.ok ? [] : checked.problems),
      ];
      const id = idOf(record);
      const key = `deal:${id}`;
      if (id && firstIndex.has(key))
        problems.push({
          field: `${prefix}.id`,
          message: `duplicate deal id, first used at ${firstIndex.get(key)}`,
        });
      else if (id) firstIndex.set(key, prefix);
      if (problems.length || !checked.ok) reject(name, index, record, problems);
      else deals.push({ section: name, index, row: checked.value });
    });
  }

  // 3. References, against the file and the database (read only).
  const referenced = [
    ...new Set([
      ...companies.flatMap((c) => (c.row.parentId ? [c.row.parentId] : [])),
      ...deals.flatMap((d) => [d.row.fromId, d.row.toId]),
    ]),
  ];
  const dealIds = deals.map((d) => d.row.id);
  const parentIds = [
    ...new Set(companies.flatMap((c) => (c.row.parentId ? [c.row.parentId] : []))),
  ];
  const { inDatabase, dealTypes, storedParents } = await stores.db.readTx(async (tx) => ({
    inDatabase: await stores.companies.existingIds(tx, referenced),
    dealTypes: await stores.deals.existingTypes(tx, dealIds),
    storedParents: await stores.companies.ancestorLinks(tx, parentIds),
  }));

  // A parent must be accepted in this file or exist already, and no parent chain may loop, in
  // the file or through the database; drop companies that fail, until nothing changes (a
  // rejected parent can reject its subsidiaries in turn, and keeps its stored parent).
  for (let changed = true; changed;) {
    changed = false;
    const accepted = new Set(companies.map((c) => c.row.id));
    const cyclic = parentCycles(
      companies.map((c) => c.row),
      storedParents,
    );
    const kept: typeof companies = [];
    for (const c of companies) {
      const parent = c.row.parentId;
      const problem = cyclic.has(c.row.id)
        ? `company '${c.row.id}' would become its own ancestor`
        : parent && !accepted.has(parent) && !inDatabase.has(parent)
          ? `unknown company '${parent}'`
          : undefined;
      if (problem) {
        reject('companies', c.index, c.row, [
          { field: `companies[${c.index}].parentId`, message: problem },
        ]);
        changed = true;
      } else kept.push(c);
    }
    companies = kept;
  }
  const knownCompanies = new Set([...inDatabase, ...companies.map((c) => c.row.id)]);
  const acceptedDeals = deals.filter((d) => {
    const [fromField, toField] = DEAL_SIDES[d.row.type];
    const prefix = `${d.section}[${d.index}]`;
    const problems: Problem[] = [];
    if (!knownCompanies.has(d.row.fromId))
      problems.push({
        field: `${prefix}.${fromField}`,
        message: `unknown company '${d.row.fromId}'`,
      });
    if (!knownCompanies.has(d.row.toId))
      problems.push({ field: `${prefix}.${toField}`, message: `unknown company '${d.row.toId}'` });
    const existing = dealTypes.get(d.row.id);
    if (existing && existing !== d.row.type) {
      problems.push({
        field: `${prefix}.id`,
        message: `'${d.row.id}' is already the id of ${existing === 'INVESTMENT' ? 'an investment' : 'a commitment'} in the database`,
      });
    }
    if (problems.length) reject(d.section, d.index, d.row, problems);
    return problems.length === 0;
  });

  rejections.sort((a, b) => a.section.localeCompare(b.section) || a.index - b.index);
  const accepted = {
    companies: companies.length,
    investments: acceptedDeals.filter((d) => d.row.type === 'INVESTMENT').length,
    commitments: acceptedDeals.filter((d) => d.row.type === 'COMMITMENT').length,
  };
  const report: ImportReport = { dryRun, accepted, rejections };
  if (dryRun || (strict && rejections.length)) return report;

  // 4. Writes: one transaction per batch, companies (parents first) before deals.
  const companyRows = parentsFirst(companies.map((c) => c.row));
  let done = 0;
  for (const batch of chunks(companyRows, batchSize)) {
    await stores.db.writeTx((tx) => stores.companies.upsertMany(tx, batch), 'importCompanies');
    done += batch.length;
    onProgress(`companies ${done}/${companyRows.length}`);
  }
  const dealRows = acceptedDeals.map((d) => d.row);
  done = 0;
  for (const batch of chunks(dealRows, batchSize)) {
    await stores.db.writeTx((tx) => stores.deals.recordMany(tx, batch), 'importDeals');
    done += batch.length;
    onProgress(`deals ${done}/${dealRows.length}`);
  }
  return report;
}

export function formatRejections(rejections: Rejection[]): string[] {
  return rejections.map(
    (r) =>
      `rejected ${r.section}[${r.index}]${r.id ? ` (${r.id})` : ''}: ${r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
  );
}
