/**
 * The bulk import: a dataset (a JSON object or file, or CSV files: the formats are in the README)
 * checked record by record with the same rules as the mutations, then written in large batched
 * transactions. Re-importing the same file changes nothing: every write is an idempotent upsert
 * by id.
 *
 * Two passes, so that memory stays bounded whatever the file's size:
 * 1. Read and check every record (nothing is written). Valid deals are spilled, normalised, to a
 *    temporary file; what the checks across records need (ids, parties, parents) stays in memory,
 *    some hundred bytes per deal. Then references are checked against the database.
 * 2. Unless it is a dry run (or --strict found a problem): companies, parents first; then the deals
 *    read back from the spill, a batch per transaction (importStore.ts), each batch with its
 *    change-log entries; then the flows of every payer the deals touched are re-derived once
 *    (FlowStore.refreshFromRoots). Until then the flow graph lags the deals written; a marker
 *    node says so (needsRebuild), in case the import dies before.
 */
import { createReadStream, mkdtempSync, rmSync, writeSync, openSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  DEAL_SIDES,
  checkCompany,
  checkDeal,
  type CompanyWrite,
  type DealWrite,
} from '../domain/validate.js';
import type { ManagedTransaction } from 'neo4j-driver';
import type { Problem } from '../errors.js';
import type { ChangeInput } from '../stores/changeLogStore.js';
import { ImportStore, type WrittenDeal } from '../stores/importStore.js';
import type { Stores } from '../stores/index.js';
import type { DealType } from '../stores/rows.js';
import { objectReader, type DatasetReader, type DatasetRecord, type Section } from './records.js';

export { DatasetError, FORMAT_VERSION } from './records.js';

export interface Rejection {
  section: Section;
  index: number;
  /** Where the record is, as the report prints it: `investments[3]`, `deals.csv:7`. */
  at: string;
  id: string | null;
  problems: Problem[];
}

export interface ImportReport {
  dryRun: boolean;
  accepted: { companies: number; investments: number; commitments: number };
  rejections: Rejection[];
}

export type ImportPhase = 'reading' | 'companies' | 'deals' | 'flows';

/** Where an import is: `done` of `total` (null while reading: the total is not known yet). */
export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number | null;
}

export interface ImportOptions {
  dryRun?: boolean;
  /** Refuse the whole file when any record is rejected. */
  strict?: boolean;
  /** Records per write transaction. */
  batchSize?: number;
  /** Called after each batch (and every few thousand records read). */
  onProgress?: (progress: ImportProgress) => void;
}

export const DEFAULT_BATCH_SIZE = 5000;
/** Roots per transaction when flows are re-derived. */
const FLOW_BATCH = 2000;
const READ_PROGRESS_EVERY = 5000;

/** Where a record is, without the record (pass 1 keeps this much of each, not the record). */
type Where = Pick<DatasetRecord, 'section' | 'index' | 'at' | 'fieldName'>;

function whereOf({ section, index, at, fieldName }: DatasetRecord): Where {
  return fieldName ? { section, index, at, fieldName } : { section, index, at };
}

/** A valid deal of pass 1: what the checks across records need, the rest is in the spill. */
interface DealEntry {
  record: Where;
  id: string;
  type: DealType;
  fromId: string;
  toId: string;
  sides: readonly [string, string];
}

interface CompanyEntry {
  record: Where;
  row: CompanyWrite;
}

function idOf(record: unknown): string | null {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

/** Problems with their fields named as the file names them (CSV columns). */
function inFileTerms(record: Where, problems: Problem[]): Problem[] {
  const rename = record.fieldName;
  if (!rename) return problems;
  const prefix = `${record.at}.`;
  return problems.map((p) =>
    p.field.startsWith(prefix) ? { ...p, field: prefix + rename(p.field.slice(prefix.length)) } : p,
  );
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

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Normalised deals written to a temporary file in pass 1 and read back in pass 2. */
class Spill {
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'ai-deal-graph-import-'));
  readonly file = path.join(this.dir, 'deals.ndjson');
  private readonly fd = openSync(this.file, 'w');
  private buffer: string[] = [];
  count = 0;

  add(row: DealWrite): void {
    this.buffer.push(JSON.stringify(row));
    this.count++;
    if (this.buffer.length >= 1000) this.flush();
  }

  flush(): void {
    if (this.buffer.length) writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  /** The rows in the order they were added, with their position. */
  async *rows(): AsyncIterable<[number, DealWrite]> {
    let i = 0;
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line) yield [i++, JSON.parse(line) as DealWrite];
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Imports a dataset in the JSON format that is already in memory (data/seed.json, tests). */
export async function importDataset(
  stores: Stores,
  data: unknown,
  options: ImportOptions = {},
): Promise<ImportReport> {
  return importFrom(stores, objectReader(data), options);
}

/** Imports what `reader` reads: a JSON file (jsonFile.ts), CSV files (csvFiles.ts), an object. */
export async function importFrom(
  stores: Stores,
  reader: DatasetReader,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const {
    dryRun = false,
    strict = false,
    batchSize = DEFAULT_BATCH_SIZE,
    onProgress = () => {},
  } = options;
  const imports = new ImportStore(stores.db);
  const spill = new Spill();
  try {
    const rejections: Rejection[] = [];
    const reject = (record: Where, id: string | null, problems: Problem[]): void => {
      rejections.push({
        section: record.section,
        index: record.index,
        at: record.at,
        id,
        problems: inFileTerms(record, problems),
      });
    };

    // Pass 1: every record on its own, in file order.
    let companies: CompanyEntry[] = [];
    const deals: DealEntry[] = [];
    const companyAt = new Map<string, string>();
    const dealAt = new Map<string, string>();
    let read = 0;
    for await (const record of reader.records()) {
      if (++read % READ_PROGRESS_EVERY === 0)
        onProgress({ phase: 'reading', done: read, total: null });
      const id = idOf(record.record);
      const problems = [...record.problems];
      if (record.kind === 'company') {
        const checked = checkCompany(record.record, record.at);
        if (!checked.ok) problems.push(...checked.problems);
        if (id && companyAt.has(id)) {
          problems.push({
            field: `${record.at}.id`,
            message: `duplicate id, first used at ${companyAt.get(id)}`,
          });
        } else if (id) companyAt.set(id, record.at);
        if (problems.length || !checked.ok) reject(record, id, problems);
        else companies.push({ record: whereOf(record), row: checked.value });
        continue;
      }
      const sides = record.dealType
        ? (record.sides ?? DEAL_SIDES[record.dealType])
        : (record.sides ?? ['fromId', 'toId']);
      const checked = record.dealType
        ? checkDeal(record.dealType, record.record, record.at, sides)
        : null;
      if (checked && !checked.ok) problems.push(...checked.problems);
      if (id && dealAt.has(id)) {
        problems.push({
          field: `${record.at}.id`,
          message: `duplicate deal id, first used at ${dealAt.get(id)}`,
        });
      } else if (id) dealAt.set(id, record.at);
      if (problems.length || !checked?.ok) {
        reject(record, id, problems);
        continue;
      }
      const row = checked.value;
      deals.push({
        record: whereOf(record),
        id: row.id,
        type: row.type,
        fromId: row.fromId,
        toId: row.toId,
        sides,
      });
      spill.add(row);
    }
    spill.close();
    if (read % READ_PROGRESS_EVERY !== 0) onProgress({ phase: 'reading', done: read, total: null });

    // References, against the file and the database (read only).
    const referenced = [
      ...new Set([
        ...companies.flatMap((c) => (c.row.parentId ? [c.row.parentId] : [])),
        ...deals.flatMap((d) => [d.fromId, d.toId]),
      ]),
    ];
    const parentIds = [
      ...new Set(companies.flatMap((c) => (c.row.parentId ? [c.row.parentId] : []))),
    ];
    const dealIds = deals.map((d) => d.id);
    const companyIds = companies.map((c) => c.row.id);
    const stored = await stores.db.readTx(
      async (tx) => ({
        companies: await imports.companyIds(tx, referenced),
        dealTypes: await imports.dealTypes(tx, dealIds),
        parents: await stores.companies.ancestorLinks(tx, parentIds),
        // Ids are unique across companies and deals.
        companiesNamedLikeDeals: await imports.companyIds(tx, dealIds),
        dealsNamedLikeCompanies: await imports.dealTypes(tx, companyIds),
        fileCompanies: await imports.companyIds(tx, companyIds),
      }),
      600_000,
      'importReferences',
    );

    // A company may not take a deal's id.
    companies = companies.filter((c) => {
      if (!stored.dealsNamedLikeCompanies.has(c.row.id)) return true;
      reject(c.record, c.row.id, [
        { field: `${c.record.at}.id`, message: `'${c.row.id}' is already the id of a deal` },
      ]);
      return false;
    });

    // A parent must be accepted in this file or exist already, and no parent chain may loop, in
    // the file or through the database; drop companies that fail, until nothing changes (a
    // rejected parent can reject its subsidiaries in turn, and keeps its stored parent).
    for (let changed = true; changed;) {
      changed = false;
      const accepted = new Set(companies.map((c) => c.row.id));
      const cyclic = parentCycles(
        companies.map((c) => c.row),
        stored.parents,
      );
      const kept: CompanyEntry[] = [];
      for (const c of companies) {
        const parent = c.row.parentId;
        const problem = cyclic.has(c.row.id)
          ? `company '${c.row.id}' would become its own ancestor`
          : parent && !accepted.has(parent) && !stored.companies.has(parent)
            ? `unknown company '${parent}'`
            : undefined;
        if (problem) {
          reject(c.record, c.row.id, [{ field: `${c.record.at}.parentId`, message: problem }]);
          changed = true;
        } else kept.push(c);
      }
      companies = kept;
    }

    const fileCompanies = new Set(companies.map((c) => c.row.id));
    const known = (id: string): boolean => fileCompanies.has(id) || stored.companies.has(id);
    const accepted = { companies: companies.length, investments: 0, commitments: 0 };
    /** Positions in the spill of the deals that pass the reference checks. */
    const writable = new Uint8Array(deals.length);
    deals.forEach((d, i) => {
      const [fromField, toField] = d.sides;
      const at = d.record.at;
      const problems: Problem[] = [];
      if (!known(d.fromId))
        problems.push({ field: `${at}.${fromField}`, message: `unknown company '${d.fromId}'` });
      if (!known(d.toId))
        problems.push({ field: `${at}.${toField}`, message: `unknown company '${d.toId}'` });
      const existing = stored.dealTypes.get(d.id);
      if (existing && existing !== d.type) {
        problems.push({
          field: `${at}.id`,
          message: `'${d.id}' is already the id of ${existing === 'INVESTMENT' ? 'an investment' : 'a commitment'} in the database`,
        });
      }
      if (stored.companiesNamedLikeDeals.has(d.id) || fileCompanies.has(d.id)) {
        problems.push({ field: `${at}.id`, message: `'${d.id}' is already the id of a company` });
      }
      if (problems.length) reject(d.record, d.id, problems);
      else {
        writable[i] = 1;
        accepted[d.type === 'INVESTMENT' ? 'investments' : 'commitments']++;
      }
    });

    const report: ImportReport = { dryRun, accepted, rejections };
    const sortRejections = (): void => {
      rejections.sort((a, b) => a.section.localeCompare(b.section) || a.index - b.index);
    };
    sortRejections();
    if (dryRun || (strict && rejections.length)) return report;

    // Pass 2: writes. Companies (parents first) before deals: new ones created, then linked to
    // their parents; stored ones upserted as the mutations do (a parent change moves flows).
    const companyRows = parentsFirst(companies.map((c) => c.row));
    const freshCompanies = companyRows.filter((c) => !stored.fileCompanies.has(c.id));
    const knownCompanies = companyRows.filter((c) => stored.fileCompanies.has(c.id));
    let done = 0;
    const companiesDone = (n: number): void => {
      done += n;
      onProgress({ phase: 'companies', done, total: companyRows.length });
    };
    const upsertCompanies = async (rows: CompanyWrite[]): Promise<void> => {
      for (const batch of chunks(rows, batchSize)) {
        await stores.db.writeTx((tx) => stores.companies.upsertMany(tx, batch), 'importCompanies');
        companiesDone(batch.length);
      }
    };
    try {
      for (const batch of chunks(freshCompanies, batchSize)) {
        await stores.db.writeTx((tx) => imports.createCompanies(tx, batch), 'importCompanies');
      }
    } catch (error) {
      // Another writer created one of them meanwhile: upsert them all instead.
      if (!isConstraintError(error)) throw error;
      knownCompanies.unshift(...freshCompanies);
      freshCompanies.length = 0;
    }
    for (const batch of chunks(freshCompanies, batchSize)) {
      await stores.db.writeTx(async (tx) => {
        await imports.linkNewCompanies(tx, batch);
        await imports.rootNewCompanies(
          tx,
          batch.map((c) => c.id),
        );
      }, 'importCompanies');
      companiesDone(batch.length);
    }
    await upsertCompanies(knownCompanies);

    const dealCount = accepted.investments + accepted.commitments;
    if (dealCount === 0) return report;
    await imports.markFlowsPending();
    const roots = new Set<string>();
    const entryOf = new Map<string, DealEntry>();
    // Stored deals are upserted as the mutations do; their states before and after (version,
    // root pair) say what changed, for the change log and the flows.
    const upsertDeals = async (
      tx: ManagedTransaction,
      rows: DealWrite[],
    ): Promise<WrittenDeal[]> => {
      const ids = rows.map((r) => r.id);
      const before = await stores.changes.dealStates(tx, ids);
      const after = await stores.changes.dealStates(tx, await stores.deals.upsertRows(tx, rows));
      return [...after.values()].map((now) => {
        const was = before.get(now.id);
        return {
          id: now.id,
          versionBefore: was?.version ?? null,
          version: now.version,
          fromRootBefore: was?.fromRoot ?? null,
          toRootBefore: was?.toRoot ?? null,
          fromRoot: now.fromRoot,
          toRoot: now.toRoot,
        };
      });
    };
    // Deals new at pass 1 are created, the others upserted; should a new id have been taken
    // since (a concurrent writer), the batch is written again, all upserted.
    const write = (batch: DealWrite[], upsertAll: boolean): Promise<WrittenDeal[]> =>
      stores.db.writeTx(async (tx) => {
        const fresh = upsertAll ? [] : batch.filter((r) => !stored.dealTypes.has(r.id));
        const known = upsertAll ? batch : batch.filter((r) => stored.dealTypes.has(r.id));
        const rows = [
          ...(fresh.length ? await imports.createDeals(tx, fresh) : []),
          ...(known.length ? await upsertDeals(tx, known) : []),
        ];
        // Last in the transaction: the change log's lock is held from here to the commit.
        await stores.changes.appendChanges(tx, changesOf(rows, batch));
        return rows;
      }, 'importDeals');
    const writeBatch = async (batch: DealWrite[]): Promise<void> => {
      const written = await write(batch, false).catch((error: unknown) => {
        if (isConstraintError(error)) return write(batch, true);
        throw error;
      });
      // Flows change only where a deal did: rewriting a deal as it was (a re-import) leaves them.
      for (const w of written) {
        if (w.versionBefore !== null && w.versionBefore === w.version) continue;
        for (const root of [w.fromRootBefore, w.fromRoot]) if (root) roots.add(root);
      }
      if (written.length < batch.length) {
        // Only a concurrent writer gets here (a company deleted, the id taken by a deal of the
        // other type since pass 1): those rows are reported, the rest of the batch stands.
        const ids = new Set(written.map((w) => w.id));
        for (const row of batch.filter((r) => !ids.has(r.id))) {
          const entry = entryOf.get(row.id);
          if (!entry) continue;
          accepted[row.type === 'INVESTMENT' ? 'investments' : 'commitments']--;
          reject(entry.record, row.id, [
            {
              field: `${entry.record.at}.id`,
              message: `not written: its companies or its id changed in the database during the import`,
            },
          ]);
        }
        sortRejections();
      }
      done += batch.length;
      onProgress({ phase: 'deals', done, total: dealCount });
      for (const row of batch) entryOf.delete(row.id);
    };
    done = 0;
    let batch: DealWrite[] = [];
    // One batch is written while the next is read from the spill: batches still commit in order.
    let writing: Promise<void> = Promise.resolve();
    for await (const [i, row] of spill.rows()) {
      if (!writable[i]) continue;
      batch.push(row);
      entryOf.set(row.id, deals[i]!);
      if (batch.length >= batchSize) {
        await writing;
        writing = writeBatch(batch);
        // Its failure is awaited (and thrown) below; until then it is not an unhandled one.
        writing.catch(() => {});
        batch = [];
      }
    }
    await writing;
    if (batch.length) await writeBatch(batch);

    // The flows of every payer whose deals were written, once.
    const rootList = [...roots].sort();
    done = 0;
    const flowChunks = chunks(rootList, FLOW_BATCH);
    if (flowChunks.length === 0) {
      await stores.db.writeTx((tx) => imports.clearFlowsPending(tx), 'importFlows');
    }
    for (const [n, slice] of flowChunks.entries()) {
      await stores.db.writeTx(async (tx) => {
        await stores.flows.refreshFromRoots(tx, slice);
        if (n === flowChunks.length - 1) await imports.clearFlowsPending(tx);
        // The deals' changes were logged before these flows were right: say which roots' flows
        // changed now, so that live cycle events are derived from the flows as they are.
        await stores.changes.appendChanges(tx, [{ kind: 'FLOWS', pairs: [], roots: slice }]);
      }, 'importFlows');
      done += slice.length;
      onProgress({ phase: 'flows', done, total: rootList.length });
    }
    return report;
  } finally {
    spill.remove();
  }
}

/** A unique constraint refused a write: an id was taken since pass 1 checked it. */
function isConstraintError(error: unknown): boolean {
  return (error as { code?: string }).code === 'Neo.ClientError.Schema.ConstraintValidationFailed';
}

/** The change-log entries of a written batch: new deals and deals whose version moved. */
function changesOf(written: WrittenDeal[], batch: DealWrite[]): ChangeInput[] {
  const rowOf = new Map(batch.map((r) => [r.id, r]));
  const changes: ChangeInput[] = [];
  for (const w of written) {
    if (w.versionBefore !== null && w.versionBefore === w.version) continue;
    const row = rowOf.get(w.id);
    if (!row) continue;
    const pairs: [string, string][] = [];
    const add = (a: string | null, b: string | null): void => {
      if (a && b && a !== b && !pairs.some(([x, y]) => x === a && y === b)) pairs.push([a, b]);
    };
    add(w.fromRootBefore, w.toRootBefore);
    add(w.fromRoot, w.toRoot);
    changes.push({
      kind: w.versionBefore === null ? 'RECORDED' : 'CHANGED',
      dealId: w.id,
      type: row.type,
      fromId: row.fromId,
      toId: row.toId,
      version: w.version,
      pairs,
    });
  }
  return changes;
}

export function formatRejections(rejections: Rejection[]): string[] {
  return rejections.map(
    (r) =>
      `rejected ${r.at}${r.id ? ` (${r.id})` : ''}: ${r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
  );
}
