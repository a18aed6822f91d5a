/**
 * Investments and spending commitments. All Cypher about deals lives here.
 *
 * Graph shape: (d:Deal:Investment|CloudCommitment)-[:FROM]->(payer:Company) and
 * (d)-[:TO]->(payee:Company): money flows FROM -> TO. (d)-[:REPORTED_BY]->(s:Source).
 */
import type { ManagedTransaction } from 'neo4j-driver';
import { badInput, type Problem } from '../errors.js';
import { DEAL_SIDES, type DealWrite } from '../domain/validate.js';
import { builtStatement, runIn, type Database, type Statement } from '../neo4j/database.js';
import type { ChangeLogStore } from './changeLogStore.js';
import { COMPANY_ROW, type CompanyStore } from './companyStore.js';
import type { FlowStore } from './flowStore.js';
import type { CompanyRow, DealRow, DealType, Page, SourceRow } from './rows.js';
import {
  orderByOn,
  pageParams,
  pageWindow,
  sortKeyOn,
  type PageRequest,
  type SortColumn,
  type SortKey,
} from './pagination.js';
import { bumpVersion, checkVersion, writeHash } from './versions.js';
import { dateKey, lastWholeMonth, upperDateKey } from '../domain/partialDate.js';

/** A deal's fields besides its id, type and companies (which are relationships). */
export const DEAL_SCALARS = [
  'version',
  'amountUsd',
  'amountIsUpperBound',
  'quantity',
  'announcedOn',
  'status',
  'instrument',
  'kind',
  'term',
  'note',
] as const satisfies readonly (keyof DealRow)[];
export type DealScalar = (typeof DEAL_SCALARS)[number];

/** Fields that are not read as they are stored. */
const DEAL_COLUMN: Partial<Record<DealScalar, (d: string) => string>> = {
  amountIsUpperBound: (d) => `coalesce(${d}.amountIsUpperBound, false)`,
  quantity: (d) =>
    `CASE WHEN ${d}.quantityValue IS NULL THEN null ELSE {value: ${d}.quantityValue, unit: ${d}.quantityUnit} END`,
};

/** A map projection entry of one of the deal `d`'s fields. */
export function dealColumn(field: DealScalar, d: string): string {
  const expr = DEAL_COLUMN[field];
  return expr ? `${field}: ${expr(d)}` : `.${field}`;
}

/** Projection of a deal node `d` into a DealRow. */
const DEAL_ROW = `d {
  .id, .type, ${DEAL_SCALARS.map((field) => dealColumn(field, 'd')).join(', ')},
  fromId: [(d)-[:FROM]->(f) | f.id][0],
  toId: [(d)-[:TO]->(t) | t.id][0]
}`;

export interface DealFilterParams {
  companyId?: string | null;
  fromCompanyId?: string | null;
  toCompanyId?: string | null;
  types?: readonly DealType[] | null;
  commitmentKinds?: readonly string[] | null;
  statuses?: readonly string[] | null;
  announcedFrom?: string | null;
  announcedTo?: string | null;
  minAmountUsd?: number | null;
  maxAmountUsd?: number | null;
}

/**
 * One predicate over a deal for every filter; a filter left out is a null parameter. Dates compare
 * as `YYYY-MM-DD` strings (announcedKey, the first day); a deal dated to the month passes an
 * announcement window only when its whole month lies in it; a kind filter applies to commitments
 * only. `d` names the
 * deal variable; `param` the parameters: `$types`, ... or the keys of one map parameter,
 * `$deals0.types`, ... (filterParams gives either).
 */
export function dealFilterOn(d: string, param: (name: string) => string = (name) => `$${name}`) {
  const p = param;
  return `
      (${p('types')} IS NULL OR ${d}.type IN ${p('types')})
      AND (${p('kinds')} IS NULL OR ${d}.type <> 'COMMITMENT' OR ${d}.kind IN ${p('kinds')})
      AND (${p('statuses')} IS NULL OR ${d}.status IN ${p('statuses')})
      AND (${p('from')} IS NULL OR ${d}.announcedKey >= ${p('from')})
      AND (${p('to')} IS NULL OR (${d}.announcedKey <= ${p('to')}
           AND (size(${d}.announcedOn) = 10 OR ${d}.announcedOn <= ${p('toMonth')})))
      AND (${p('minAmount')} IS NULL OR ${d}.amountUsd >= ${p('minAmount')})
      AND (${p('maxAmount')} IS NULL OR ${d}.amountUsd <= ${p('maxAmount')})
      AND (${p('companyId')} IS NULL OR EXISTS { (${d})-[:FROM|TO]->(:Company {id: ${p('companyId')}}) })
      AND (${p('fromCompanyId')} IS NULL OR EXISTS { (${d})-[:FROM]->(:Company {id: ${p('fromCompanyId')}}) })
      AND (${p('toCompanyId')} IS NULL OR EXISTS { (${d})-[:TO]->(:Company {id: ${p('toCompanyId')}}) })`;
}

/** The filter over `d` with one parameter per filter. */
export const DEAL_FILTER = dealFilterOn('d');

export function filterParams(filter: DealFilterParams): Record<string, unknown> {
  return {
    types: filter.types?.length ? filter.types : null,
    kinds: filter.commitmentKinds?.length ? filter.commitmentKinds : null,
    statuses: filter.statuses?.length ? filter.statuses : null,
    from: filter.announcedFrom ? dateKey(filter.announcedFrom) : null,
    // A month as upper bound includes the whole month.
    to: filter.announcedTo ? upperDateKey(filter.announcedTo) : null,
    // A deal known to the month passes only when its whole month does (partialDate.ts).
    toMonth: filter.announcedTo ? lastWholeMonth(upperDateKey(filter.announcedTo)) : null,
    minAmount: filter.minAmountUsd ?? null,
    maxAmount: filter.maxAmountUsd ?? null,
    companyId: filter.companyId ?? null,
    fromCompanyId: filter.fromCompanyId ?? null,
    toCompanyId: filter.toCompanyId ?? null,
  };
}

/**
 * Orders, from a closed list, as sort columns (the keys of keyset cursors, pagination.ts). Unknown
 * dates and amounts sort last either way: a 0/1 column first, then the value with a stand-in for
 * null (so every key compares), then the id.
 */
const unknownLast = (field: string) => ({
  expr: (d: string) => `CASE WHEN ${d}.${field} IS NULL THEN 1 ELSE 0 END`,
  direction: 'ASC' as const,
});
const byId = (direction: 'ASC' | 'DESC'): SortColumn => ({ expr: (d) => `${d}.id`, direction });
const DEAL_ORDER_COLUMNS = {
  ANNOUNCED_ON_DESC: [
    unknownLast('announcedKey'),
    { expr: (d) => `coalesce(${d}.announcedKey, '')`, direction: 'DESC' },
    byId('ASC'),
  ],
  ANNOUNCED_ON_ASC: [
    unknownLast('announcedKey'),
    { expr: (d) => `coalesce(${d}.announcedKey, '')`, direction: 'ASC' },
    byId('ASC'),
  ],
  AMOUNT_USD_DESC: [
    unknownLast('amountUsd'),
    { expr: (d) => `coalesce(${d}.amountUsd, 0.0)`, direction: 'DESC' },
    byId('ASC'),
  ],
  AMOUNT_USD_ASC: [
    unknownLast('amountUsd'),
    { expr: (d) => `coalesce(${d}.amountUsd, 0.0)`, direction: 'ASC' },
    byId('ASC'),
  ],
  ID_DESC: [byId('DESC')],
  ID_ASC: [byId('ASC')],
} as const satisfies Record<string, readonly SortColumn[]>;
export type DealOrderKey = keyof typeof DEAL_ORDER_COLUMNS;

/** The sort columns of a deal order. */
export function dealOrderColumns(order: DealOrderKey): readonly SortColumn[] {
  return DEAL_ORDER_COLUMNS[order];
}

/** The ORDER BY clause of a deal order, over the deal variable `d`. */
export function dealOrderOn(order: DealOrderKey, d: string): string {
  return orderByOn(DEAL_ORDER_COLUMNS[order], d);
}

/**
 * Cypher clauses that turn the ordered deals `d` (one per row, deduplicated and ordered by
 * dealOrderOn) into one page: `<w>Items[<w>Start..<w>End]` of `{n: deal, k: sort key}` maps, and
 * `<w>Start` deals before it (pagination.ts pageWindow). `p` names the page parameters.
 */
export function dealPageClauses(
  order: DealOrderKey,
  d: string,
  w: string,
  p: (name: string) => string = (name) => `$${name}`,
  carry: readonly string[] = [],
): string {
  const columns = DEAL_ORDER_COLUMNS[order];
  const keep = carry.length ? `${carry.join(', ')}, ` : '';
  return `
      WITH ${keep}collect({n: ${d}, k: ${sortKeyOn(columns, d)}}) AS ${w}Items
      ${pageWindow(columns, p, w, carry)}`;
}

/** How a list of deals is anchored: all deals, or the deals on one side of one company. */
const DEAL_ANCHOR = {
  all: 'MATCH (d:Deal)',
  company: 'MATCH (:Company {id: $companyId})<-[:FROM|TO]-(d:Deal)',
  from: 'MATCH (:Company {id: $fromCompanyId})<-[:FROM]-(d:Deal)',
  to: 'MATCH (:Company {id: $toCompanyId})<-[:TO]-(d:Deal)',
} as const;

/** How a deal list is anchored: from the company its filter names, when there is one. */
export type DealAnchor = keyof typeof DEAL_ANCHOR;
export function dealAnchor(filter: DealFilterParams): DealAnchor {
  // The filter predicate still checks every condition.
  if (filter.fromCompanyId) return 'from';
  if (filter.toCompanyId) return 'to';
  return filter.companyId ? 'company' : 'all';
}

/**
 * One page of deals and the total: the deals matching the filter, ordered, each page row
 * projected by `row` (an expression over `d`).
 */
export function dealListCypher(anchor: DealAnchor, order: DealOrderKey, row: string): string {
  return `
      ${DEAL_ANCHOR[anchor]}
      WHERE ${DEAL_FILTER}
      WITH DISTINCT d ORDER BY ${dealOrderOn(order, 'd')}
      ${dealPageClauses(order, 'd', 'w')}
      WITH size(wItems) AS totalCount, wStart AS before, wItems[wStart..wEnd] AS listPage
      RETURN totalCount, before, [x IN listPage | x.k] AS keys,
        [d IN [x IN listPage | x.n] | ${row}] AS rows`;
}

function listStatement(anchor: DealAnchor, order: DealOrderKey): Statement {
  return builtStatement(`deals:${anchor}:${order}`, () => dealListCypher(anchor, order, DEAL_ROW));
}

/** The side of a company a connection lists: `made` = money flows from it. */
export type DealSide = 'made' | 'received';

/** A source's fields. */
export const SOURCE_SCALARS = [
  'publisher',
  'title',
  'url',
  'publishedOn',
] as const satisfies readonly (keyof SourceRow)[];
export type SourceScalar = (typeof SOURCE_SCALARS)[number];

/** Projection of a source node `s` into a SourceRow. */
const SOURCE_ROW = `s { ${SOURCE_SCALARS.map((field) => `.${field}`).join(', ')} }`;

/** The order of a deal's sources wherever they are listed: newest first, then by name. */
export const sourceOrderOn = (s: string): string =>
  `${s}.publishedOn DESC, ${s}.publisher, ${s}.title, ${s}.url`;

/** What a page of deals usually leads to: both companies of each deal, and its sources. */
export interface DealRelated {
  dealId: string;
  companies: CompanyRow[];
  sources: SourceRow[];
}

export interface DealPageWithRelated extends Page<DealRow> {
  related: DealRelated[];
}

/**
 * A page of deals per company, with each deal's counterparty and sources in the same query:
 * clients almost always ask for them next, and a second and third query per page cost more than the few
 * rows they add (the loaders are primed with them).
 */
function byCompanyStatement(side: DealSide, order: DealOrderKey): Statement {
  const rel = side === 'made' ? 'FROM' : 'TO';
  // The company on the other side of each deal: the listing company is already loaded.
  const other = side === 'made' ? 'TO' : 'FROM';
  return builtStatement(
    `dealsByCompany:${side}:${order}`,
    () => `
      UNWIND $companyIds AS companyId
      CALL (companyId) {
        MATCH (:Company {id: companyId})<-[:${rel}]-(d:Deal)
        WHERE ${DEAL_FILTER}
        WITH DISTINCT d ORDER BY ${dealOrderOn(order, 'd')}
        ${dealPageClauses(order, 'd', 'w')}
        WITH size(wItems) AS totalCount, wStart AS before, wItems[wStart..wEnd] AS window
        WITH totalCount, before, [x IN window | x.k] AS keys, [x IN window | x.n] AS page
        RETURN totalCount, before, keys, [d IN page | ${DEAL_ROW}] AS rows,
          [d IN page | {
            dealId: d.id,
            companies: [(d)-[:${other}]->(c:Company) | ${COMPANY_ROW}],
            sources: COLLECT {
              MATCH (d)-[:REPORTED_BY]->(s:Source)
              WITH s ORDER BY ${sourceOrderOn('s')}
              RETURN ${SOURCE_ROW}
            }
          }] AS related
      }
      RETURN companyId, totalCount, before, keys, rows, related`,
  );
}

const DEALS_BY_IDS: Statement = {
  name: 'dealsByIds',
  cypher: `UNWIND $ids AS id MATCH (d:Deal {id: id}) RETURN ${DEAL_ROW} AS deal`,
};

const SOURCES_BY_DEAL_IDS: Statement = {
  name: 'sourcesByDealIds',
  cypher: `
    UNWIND $ids AS id
    MATCH (:Deal {id: id})-[:REPORTED_BY]->(s:Source)
    WITH id, s ORDER BY ${sourceOrderOn('s')}
    RETURN id, collect(${SOURCE_ROW}) AS sources`,
};

const DEAL_TYPES_BY_IDS: Statement = {
  name: 'dealTypesByIds',
  cypher: `UNWIND $ids AS id MATCH (d:Deal {id: id}) RETURN d.id AS id, d.type AS type`,
};

/**
 * Idempotent by id: MERGE on the unique id, every property set (null removes it), FROM/TO moved
 * only when they changed, sources replaced. Writing the same row twice changes nothing.
 */
const RECORD_DEALS: Statement = {
  name: 'recordDeals',
  cypher: `
    UNWIND $rows AS row
    MATCH (payer:Company {id: row.fromId})
    MATCH (payee:Company {id: row.toId})
    MERGE (d:Deal {id: row.id})
      ON CREATE SET d.type = row.type
    // A writer racing another of the other type on a new id finds the node it created here;
    // such rows are not written and the caller refuses the batch (see recordMany).
    WITH d, row, payer, payee WHERE d.type = row.type
    SET ${bumpVersion('d')}
    SET d.writeHash = row.writeHash,
        d.type = row.type,
        d.amountUsd = row.amountUsd,
        d.amountIsUpperBound = row.amountIsUpperBound,
        d.quantityValue = row.quantityValue,
        d.quantityUnit = row.quantityUnit,
        d.announcedOn = row.announcedOn,
        d.announcedKey = row.announcedKey,
        d.status = row.status,
        d.instrument = row.instrument,
        d.kind = row.kind,
        d.term = row.term,
        d.note = row.note
    FOREACH (_ IN CASE WHEN row.type = 'INVESTMENT' THEN [1] ELSE [] END | SET d:Investment)
    FOREACH (_ IN CASE WHEN row.type = 'COMMITMENT' THEN [1] ELSE [] END | SET d:CloudCommitment)
    WITH d, row, payer, payee
    CALL (d, payer, payee) {
      OPTIONAL MATCH (d)-[r:FROM|TO]->(c:Company)
      WITH r, c WHERE r IS NOT NULL
        AND NOT ((type(r) = 'FROM' AND c = payer) OR (type(r) = 'TO' AND c = payee))
      DELETE r
    }
    MERGE (d)-[:FROM]->(payer)
    MERGE (d)-[:TO]->(payee)
    WITH d, row
    CALL (d, row) {
      OPTIONAL MATCH (d)-[r:REPORTED_BY]->(old:Source)
      WITH r, old WHERE r IS NOT NULL AND NOT old.key IN [s IN row.sources | s.key]
      DELETE r
      WITH old WHERE NOT EXISTS { (old)<-[:REPORTED_BY]-() }
      DELETE old
    }
    CALL (d, row) {
      UNWIND row.sources AS src
      MERGE (s:Source {key: src.key})
        ON CREATE SET s.publisher = src.publisher, s.title = src.title, s.url = src.url,
                      s.publishedOn = src.publishedOn
      MERGE (d)-[:REPORTED_BY]->(s)
    }
    RETURN collect(d.id) AS written`,
};

/** Deletes deals, and the sources no other deal cites. */
const DELETE_DEALS: Statement = {
  name: 'deleteDeals',
  cypher: `
    UNWIND $ids AS id
    MATCH (d:Deal {id: id})
    OPTIONAL MATCH (d)-[:REPORTED_BY]->(s:Source)
    WITH d, collect(s) AS sources
    DETACH DELETE d
    WITH sources
    UNWIND sources AS s
    WITH DISTINCT s WHERE NOT EXISTS { (s)<-[:REPORTED_BY]-() }
    DELETE s
    RETURN count(*) AS orphansDeleted`,
};

/** Takes the deal's write lock (see versions.ts) and reads its version and type. */
const LOCK_DEAL: Statement = {
  name: 'lockDeal',
  cypher: `
    MATCH (d:Deal {id: $id})
    SET d.version = coalesce(d.version, 1)
    RETURN d.version AS version, d.type AS type`,
};

/** A page as the list statements return it. */
type PageRow = { totalCount: number; before: number; keys: SortKey[]; rows: DealRow[] };

/** What a deal write writes, in a fixed order: equal hashes mean nothing changed. */
export function dealWriteHash(row: DealWrite): string {
  return writeHash([
    row.type,
    row.fromId,
    row.toId,
    row.amountUsd,
    row.amountIsUpperBound,
    row.quantityValue,
    row.quantityUnit,
    row.announcedOn,
    row.status,
    row.instrument,
    row.kind,
    row.term,
    row.note,
    row.sources.map((s) => s.key).sort(),
  ]);
}

export class DealStore {
  constructor(
    private readonly db: Database,
    private readonly companies: CompanyStore,
    private readonly flows: FlowStore,
    private readonly changes: ChangeLogStore,
  ) {}

  async byIds(ids: readonly string[]): Promise<(DealRow | null)[]> {
    const rows = await this.db.read<{ deal: DealRow }>(DEALS_BY_IDS, { ids });
    const byId = new Map(rows.map((r) => [r.deal.id, r.deal]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async sources(dealIds: readonly string[]): Promise<SourceRow[][]> {
    const rows = await this.db.read<{ id: string; sources: SourceRow[] }>(SOURCES_BY_DEAL_IDS, {
      ids: dealIds,
    });
    const byId = new Map(rows.map((r) => [r.id, r.sources]));
    return dealIds.map((id) => byId.get(id) ?? []);
  }

  async list(
    filter: DealFilterParams,
    order: DealOrderKey,
    page: PageRequest,
  ): Promise<Page<DealRow>> {
    const [row] = await this.db.read<PageRow>(listStatement(dealAnchor(filter), order), {
      ...filterParams(filter),
      ...pageParams(page),
    });
    return row ?? { totalCount: 0, rows: [] };
  }

  /** One page of deals per company, for many companies in one query (no N+1). */
  async pagesByCompany(
    companyIds: readonly string[],
    side: DealSide,
    filter: DealFilterParams,
    order: DealOrderKey,
    page: PageRequest,
  ): Promise<DealPageWithRelated[]> {
    const rows = await this.db.read<PageRow & { companyId: string; related: DealRelated[] }>(
      byCompanyStatement(side, order),
      { ...filterParams(filter), companyIds, ...pageParams(page) },
    );
    const byId = new Map(rows.map((r) => [r.companyId, r]));
    return companyIds.map((id) => byId.get(id) ?? { totalCount: 0, rows: [], related: [] });
  }

  /**
   * Writes deals in the caller's transaction. Refuses (nothing written) when a company is unknown
   * or an id already belongs to a deal of the other type.
   */
  async recordMany(tx: ManagedTransaction, rows: DealWrite[]): Promise<void> {
    const companyIds = [...new Set(rows.flatMap((r) => [r.fromId, r.toId]))];
    const known = await this.companies.existingIds(tx, companyIds);
    const existingTypes = await this.existingTypes(
      tx,
      rows.map((r) => r.id),
    );
    const problems: Problem[] = [];
    // Ids are unique across types: a deal may not take a company's id.
    const companyIdsTaken = await this.companies.existingIds(
      tx,
      rows.map((r) => r.id),
    );
    for (const row of rows) {
      if (companyIdsTaken.has(row.id)) {
        problems.push({ field: 'input.id', message: `'${row.id}' is already the id of a company` });
      }
      const [fromField, toField] = DEAL_SIDES[row.type];
      for (const [field, id] of [
        [fromField, row.fromId],
        [toField, row.toId],
      ] as const) {
        if (!known.has(id))
          problems.push({
            field: `input.${field}`,
            message: `no company with id '${id}' (deal '${row.id}')`,
          });
      }
      const existing = existingTypes.get(row.id);
      if (existing && existing !== row.type) {
        problems.push({
          field: 'input.id',
          message: `'${row.id}' is already the id of ${existing === 'INVESTMENT' ? 'an investment' : 'a commitment'}`,
        });
      }
    }
    if (problems.length) throw badInput(problems);
    const before = await this.flows.pairsOfDeals(
      tx,
      rows.map((r) => r.id),
    );
    const logged = await this.changes.dealStates(
      tx,
      rows.map((r) => r.id),
    );
    const previous = await runIn<{ deal: DealRow }>(tx, DEALS_BY_IDS, {
      ids: rows.map((r) => r.id),
    });
    const written = new Set(await this.upsertRows(tx, rows));
    const refused = rows.filter((r) => !written.has(r.id));
    if (refused.length) {
      // Only a concurrent write of the other deal type gets here; throwing rolls back the batch.
      throw badInput(
        refused.map((r) => ({
          field: 'input.id',
          message: `'${r.id}' is already the id of ${r.type === 'INVESTMENT' ? 'a commitment' : 'an investment'}`,
        })),
      );
    }
    const after = await this.flows.pairsOfCompanies(
      tx,
      rows.map((r) => [r.fromId, r.toId]),
    );
    await this.flows.refreshPairs(tx, [...before, ...after]);
    // Last: the change log's lock is held from here to the commit (changeLogStore.ts).
    await this.changes.logDealWrites(
      tx,
      rows.map((r) => r.id),
      logged,
      previous.map((r) => r.deal),
    );
  }

  /**
   * The upsert alone (RECORD_DEALS), in the caller's transaction: no checks, no flows, no change
   * log; returns the ids written (a row whose id is a deal of the other type is not). For callers
   * that do those themselves: recordMany, and the bulk import for ids already stored.
   */
  async upsertRows(tx: ManagedTransaction, rows: readonly DealWrite[]): Promise<string[]> {
    const [result] = await runIn<{ written: string[] }>(tx, RECORD_DEALS, {
      rows: rows.map((row) => ({ ...row, writeHash: dealWriteHash(row) })),
    });
    return result?.written ?? [];
  }

  /** Records one deal; refused with CONFLICT when `ifVersion` is given and stale. */
  async record(row: DealWrite, ifVersion?: number | null): Promise<void> {
    await this.db.writeTx(async (tx) => {
      if (ifVersion != null) {
        const [locked] = await runIn<{ version: number }>(tx, LOCK_DEAL, { id: row.id });
        checkVersion('deal', row.id, locked?.version ?? 0, ifVersion);
      }
      await this.recordMany(tx, [row]);
    }, 'recordDeal');
  }

  /** The type of each deal id that exists already. */
  async existingTypes(
    tx: ManagedTransaction,
    ids: readonly string[],
  ): Promise<Map<string, DealType>> {
    const rows = await runIn<{ id: string; type: DealType }>(tx, DEAL_TYPES_BY_IDS, { ids });
    return new Map(rows.map((r) => [r.id, r.type]));
  }

  /**
   * Deletes a deal and says which it was; null when there was none. Refused with CONFLICT when
   * `ifVersion` is given and stale.
   */
  async delete(
    id: string,
    ifVersion?: number | null,
  ): Promise<{ dealId: string; type: DealType } | null> {
    return this.db.writeTx(async (tx) => {
      const [locked] = await runIn<{ version: number; type: DealType }>(tx, LOCK_DEAL, { id });
      checkVersion('deal', id, locked?.version ?? 0, ifVersion);
      if (!locked) return null;
      await this.deleteIn(tx, [id]);
      return { dealId: id, type: locked.type };
    }, 'deleteDeal');
  }

  /** Deletes deals in the caller's transaction, keeping the flow graph in step. */
  async deleteIn(tx: ManagedTransaction, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const pairs = await this.flows.pairsOfDeals(tx, ids);
    const logged = await this.changes.dealStates(tx, ids);
    const gone = await runIn<{ deal: DealRow }>(tx, DEALS_BY_IDS, { ids });
    await runIn(tx, DELETE_DEALS, { ids });
    await this.flows.refreshPairs(tx, pairs);
    await this.changes.logDealDeletes(
      tx,
      gone.map((r) => r.deal),
      logged,
    );
  }
}
