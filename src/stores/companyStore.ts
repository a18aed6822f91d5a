/**
 * Companies and their corporate tree. All Cypher about companies lives here.
 * Batch reads take a list of ids and return results in the same order (DataLoader contract).
 */
import type { ManagedTransaction } from 'neo4j-driver';
import { ErrorCode, UserError, badInput, type Problem } from '../errors.js';
import type { CompanyWrite } from '../domain/validate.js';
import { builtStatement, runIn, type Database, type Statement } from '../neo4j/database.js';
import type { CompanyRow, CompanyTotalsRow, DealType, Page } from './rows.js';
import {
  orderByOn,
  pageParams,
  pageWindow,
  sortKeyOn,
  type PageRequest,
  type SortColumn,
  type SortKey,
} from './pagination.js';
import type { ChangeLogStore } from './changeLogStore.js';
import type { FlowStore } from './flowStore.js';
import { bumpVersion, checkVersion, writeHash } from './versions.js';

/** A company's stored fields besides its id (its parent is a relationship). */
export const COMPANY_SCALARS = [
  'name',
  'version',
  'aliases',
  'sectors',
  'country',
  'website',
] as const satisfies readonly (keyof CompanyRow)[];
export type CompanyScalar = (typeof COMPANY_SCALARS)[number];

const COMPANY_FIELDS = ['id', ...COMPANY_SCALARS].map((field) => `.${field}`).join(', ');

/** Projection of a company node `c` into a CompanyRow. */
export const COMPANY_ROW = `c { ${COMPANY_FIELDS}, parentId: [(c)-[:SUBSIDIARY_OF]->(p) | p.id][0] }`;

const COMPANIES_BY_IDS: Statement = {
  name: 'companiesByIds',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company {id: id})
    RETURN ${COMPANY_ROW} AS company`,
};

/** The order of a company's subsidiaries wherever they are listed. */
export const subsidiaryOrderOn = (c: string): string => `${c}.name, ${c}.id`;

const SUBSIDIARIES_BY_PARENT_IDS: Statement = {
  name: 'subsidiariesByParentIds',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company)-[:SUBSIDIARY_OF]->(:Company {id: id})
    WITH id, c ORDER BY ${subsidiaryOrderOn('c')}
    RETURN id, collect(${COMPANY_ROW}) AS subsidiaries`,
};

// Returns the root's row, not its id: a second lookup by id would be one more round trip.
const ULTIMATE_PARENTS: Statement = {
  name: 'ultimateParents',
  cypher: `
    UNWIND $ids AS id
    MATCH (:Company {id: id})-[:SUBSIDIARY_OF]->*(c:Company)
    WHERE NOT (c)-[:SUBSIDIARY_OF]->()
    RETURN id, ${COMPANY_ROW} AS root`,
};

/** The figures of CompanyTotals: which side of which deals each sums. */
const TOTALS_FIGURES = {
  invested: { rel: 'FROM', label: 'Investment' },
  committed: { rel: 'FROM', label: 'CloudCommitment' },
  raised: { rel: 'TO', label: 'Investment' },
  received: { rel: 'TO', label: 'CloudCommitment' },
} as const;
export type TotalsFigure = keyof typeof TOTALS_FIGURES;
export const ALL_TOTALS_FIGURES = Object.keys(TOTALS_FIGURES) as TotalsFigure[];

/**
 * A company's totals as one map expression over the company variable `c`, with the given figures
 * (`invested` gives investedUsd and investedUnknownCount, ...). Known amounts are summed; a deal
 * whose amount is unknown is counted instead. Each figure reads only its side and type of deals
 * (by label: no property read to tell them apart). An aggregation over no rows still returns its
 * one row: zeros.
 */
export function totalsOf(c: string, figures: readonly TotalsFigure[] = ALL_TOTALS_FIGURES): string {
  if (figures.length === 0) return '{}';
  const calls = figures.map((figure) => {
    const { rel, label } = TOTALS_FIGURES[figure];
    return `
      CALL (${c}) {
        MATCH (${c})<-[:${rel}]-(d:${label})
        RETURN toFloat(sum(coalesce(d.amountUsd, 0))) AS ${figure}Usd,
          count(CASE WHEN d.amountUsd IS NULL THEN 1 END) AS ${figure}UnknownCount
      }`;
  });
  const fields = figures.map(
    (figure) => `${figure}Usd: ${figure}Usd, ${figure}UnknownCount: ${figure}UnknownCount`,
  );
  return `COLLECT {${calls.join('')}
      RETURN { ${fields.join(', ')} } AS totals
    }[0]`;
}

const TOTALS_BY_IDS: Statement = {
  name: 'companyTotalsByIds',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company {id: id})
    RETURN id, ${totalsOf('c')} AS totals`,
};

// Filters are parameters guarded by IS NULL, so one statement serves every combination.
const COMPANY_FILTER = `
    ($sectors IS NULL OR any(s IN c.sectors WHERE s IN $sectors))
    AND ($country IS NULL OR c.country = $country)
    AND (NOT $topLevelOnly OR NOT (c)-[:SUBSIDIARY_OF]->())`;

/**
 * Orders come from this closed list, never from input, as sort columns over the company `c` (and
 * the search `score`): the keys of keyset cursors (pagination.ts).
 */
const byName = (direction: 'ASC' | 'DESC'): SortColumn => ({
  expr: (c) => `toLower(${c}.name)`,
  direction,
});
const byId = (direction: 'ASC' | 'DESC'): SortColumn => ({ expr: (c) => `${c}.id`, direction });
const byScore: SortColumn = { expr: () => 'score', direction: 'DESC' };
const COMPANY_ORDER = {
  NAME_ASC: [byName('ASC'), byId('ASC')],
  NAME_DESC: [byName('DESC'), byId('ASC')],
  ID_ASC: [byId('ASC')],
  ID_DESC: [byId('DESC')],
  RELEVANCE_ASC: [byScore, byId('ASC')],
  RELEVANCE_DESC: [byScore, byId('ASC')],
} as const satisfies Record<string, readonly SortColumn[]>;
export type CompanyOrderKey = keyof typeof COMPANY_ORDER;

/**
 * One page of companies and the total: the companies matching the filter, ordered, each page row
 * projected by `row` (an expression over `c`).
 */
export function companyListCypher(order: CompanyOrderKey, search: boolean, row: string): string {
  const source = search
    ? `CALL db.index.fulltext.queryNodes('company_search', $search) YIELD node AS c, score`
    : `MATCH (c:Company) WITH c, 0 AS score`;
  return `
      ${source}
      WHERE ${COMPANY_FILTER}
      WITH c, score ORDER BY ${orderByOn(COMPANY_ORDER[order], 'c')}
      WITH collect({n: c, k: ${sortKeyOn(COMPANY_ORDER[order], 'c')}}) AS wItems
      ${pageWindow(COMPANY_ORDER[order], (name) => `$${name}`, 'w')}
      WITH size(wItems) AS totalCount, wStart AS before, wItems[wStart..wEnd] AS listPage
      RETURN totalCount, before, [x IN listPage | x.k] AS keys,
        [c IN [x IN listPage | x.n] | ${row}] AS rows`;
}

function listStatement(order: CompanyOrderKey, search: boolean): Statement {
  return builtStatement(`companies:${search ? 'search' : 'all'}:${order}`, () =>
    companyListCypher(order, search, COMPANY_ROW),
  );
}

const COUNT_COMPANIES: Statement = {
  name: 'countCompanies',
  cypher: 'MATCH (c:Company) RETURN count(c) AS count',
};

/** Takes the company's write lock (see versions.ts) and reads it. */
const LOCK_COMPANY: Statement = {
  name: 'lockCompany',
  cypher: `
    MATCH (c:Company {id: $id})
    SET c.version = coalesce(c.version, 1)
    RETURN ${COMPANY_ROW} AS company`,
};

/** The company, its subsidiaries all the way down, and every deal of any of them. */
const COMPANY_TREE_AND_DEALS: Statement = {
  name: 'companyTreeAndDeals',
  cypher: `
    MATCH (:Company {id: $id})<-[:SUBSIDIARY_OF]-*(c:Company)
    WITH collect(DISTINCT c) AS tree
    RETURN [c IN tree | c.id] AS companyIds,
      COLLECT {
        UNWIND tree AS c
        MATCH (c)<-[:FROM|TO]-(d:Deal)
        WITH DISTINCT d ORDER BY d.id
        RETURN {dealId: d.id, type: d.type}
      } AS deals`,
};

/** Deletes companies that no deal references any more (their flows and links go with them). */
const DELETE_COMPANIES: Statement = {
  name: 'deleteCompanies',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company {id: id})
    DETACH DELETE c
    RETURN count(*) AS deleted`,
};

/** Ids are unique across types: a company may not take a deal's id. */
const DEAL_IDS_AMONG: Statement = {
  name: 'dealIdsAmong',
  cypher: `UNWIND $ids AS id MATCH (d:Deal {id: id}) RETURN d.id AS id`,
};

const EXISTING_COMPANY_IDS: Statement = {
  name: 'existingCompanyIds',
  cypher: `UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN c.id AS id`,
};

/** The stored parent links above the given companies, up to their top-level parents. */
const ANCESTOR_LINKS: Statement = {
  name: 'companyAncestorLinks',
  cypher: `
    UNWIND $ids AS id
    MATCH (:Company {id: id})-[:SUBSIDIARY_OF]->*(c:Company)-[:SUBSIDIARY_OF]->(p:Company)
    RETURN DISTINCT c.id AS id, p.id AS parentId`,
};

/** What a company write writes, in a fixed order: equal hashes mean nothing changed. */
export function companyWriteHash(row: CompanyWrite): string {
  return writeHash([row.name, row.aliases, row.sectors, row.country, row.website, row.parentId]);
}

const UPSERT_COMPANIES: Statement = {
  name: 'upsertCompanies',
  cypher: `
    UNWIND $rows AS row
    MERGE (c:Company {id: row.id})
    SET ${bumpVersion('c')}
    SET c.writeHash = row.writeHash,
        c.name = row.name,
        c.aliases = row.aliases,
        c.aliasText = reduce(text = '', a IN row.aliases | text + a + '\n'),
        c.sectors = row.sectors,
        c.country = row.country,
        c.website = row.website
    RETURN count(c) AS written`,
};

// Run after UPSERT_COMPANIES, so that parents written in the same batch exist.
const SET_PARENTS: Statement = {
  name: 'setCompanyParents',
  cypher: `
    UNWIND $rows AS row
    MATCH (c:Company {id: row.id})
    CALL (c, row) {
      OPTIONAL MATCH (c)-[old:SUBSIDIARY_OF]->(p)
      WITH old, p WHERE old IS NOT NULL AND coalesce(p.id <> row.parentId, true)
      DELETE old
    }
    CALL (c, row) {
      MATCH (p:Company {id: row.parentId})
      MERGE (c)-[:SUBSIDIARY_OF]->(p)
    }
    RETURN count(c) AS linked`,
};

const IN_PARENT_CYCLE: Statement = {
  name: 'companiesInParentCycle',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company {id: id})
    WHERE EXISTS { (c)-[:SUBSIDIARY_OF]->+(c) }
    RETURN c.id AS id`,
};

export class CompanyStore {
  constructor(
    private readonly db: Database,
    private readonly flows: FlowStore,
    private readonly changes: ChangeLogStore,
  ) {}

  async byIds(ids: readonly string[]): Promise<(CompanyRow | null)[]> {
    const rows = await this.db.read<{ company: CompanyRow }>(COMPANIES_BY_IDS, { ids });
    const byId = new Map(rows.map((r) => [r.company.id, r.company]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async subsidiaries(parentIds: readonly string[]): Promise<CompanyRow[][]> {
    const rows = await this.db.read<{ id: string; subsidiaries: CompanyRow[] }>(
      SUBSIDIARIES_BY_PARENT_IDS,
      { ids: parentIds },
    );
    const byId = new Map(rows.map((r) => [r.id, r.subsidiaries]));
    return parentIds.map((id) => byId.get(id) ?? []);
  }

  /** The top-level parent of each company (the company itself when it has none). */
  async ultimateParents(ids: readonly string[]): Promise<(CompanyRow | null)[]> {
    const rows = await this.db.read<{ id: string; root: CompanyRow }>(ULTIMATE_PARENTS, { ids });
    const byId = new Map(rows.map((r) => [r.id, r.root]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async totals(ids: readonly string[]): Promise<CompanyTotalsRow[]> {
    const rows = await this.db.read<{ id: string; totals: CompanyTotalsRow }>(TOTALS_BY_IDS, {
      ids,
    });
    const byId = new Map(rows.map((r) => [r.id, r.totals]));
    return ids.map((id) => byId.get(id) ?? emptyTotals());
  }

  async list(
    filter: CompanyFilterParams,
    order: CompanyOrderKey,
    page: PageRequest,
  ): Promise<Page<CompanyRow>> {
    const params = listParams(filter, page);
    if (!params) return { totalCount: 0, rows: [] };
    const [row] = await this.db.read<{
      totalCount: number;
      before: number;
      keys: SortKey[];
      rows: CompanyRow[];
    }>(listStatement(order, params.search !== null), params);
    return row ?? { totalCount: 0, rows: [] };
  }

  /**
   * Writes companies in the caller's transaction: properties first, then parent links, so a batch
   * may name parents it creates itself. Refuses unknown parents and parent cycles; the caller's
   * transaction then rolls back and nothing is written.
   */
  async upsertMany(tx: ManagedTransaction, rows: CompanyWrite[]): Promise<void> {
    const parentIds = [...new Set(rows.flatMap((r) => (r.parentId ? [r.parentId] : [])))];
    const batchIds = new Set(rows.map((r) => r.id));
    const existing = new Set(
      (await runIn<{ id: string }>(tx, EXISTING_COMPANY_IDS, { ids: parentIds })).map((r) => r.id),
    );
    const problems: Problem[] = rows
      .filter((r) => r.parentId && !batchIds.has(r.parentId) && !existing.has(r.parentId))
      .map((r) => ({
        field: 'input.parentId',
        message: `no company with id '${r.parentId}' (company '${r.id}')`,
      }));
    const dealIds = await runIn<{ id: string }>(tx, DEAL_IDS_AMONG, { ids: [...batchIds] });
    for (const { id } of dealIds) {
      problems.push({ field: 'input.id', message: `'${id}' is already the id of a deal` });
    }
    if (problems.length) throw badInput(problems);

    const written = rows.map((row) => ({ ...row, writeHash: companyWriteHash(row) }));
    await runIn(tx, UPSERT_COMPANIES, { rows: written });
    await runIn(tx, SET_PARENTS, { rows });
    const cyclic = await runIn<{ id: string }>(tx, IN_PARENT_CYCLE, { ids: [...batchIds] });
    if (cyclic.length) {
      throw badInput(
        cyclic.map((r) => ({
          field: 'input.parentId',
          message: `company '${r.id}' would become its own ancestor`,
        })),
      );
    }
    const moved = await this.flows.afterCompaniesWritten(tx, [...batchIds]);
    // A parent change moves deals to other top-level parents, which can form or break cycles.
    await this.changes.logReroot(tx, moved);
  }

  async count(): Promise<number> {
    const [row] = await this.db.read<{ count: number }>(COUNT_COMPANIES);
    return row?.count ?? 0;
  }

  async upsert(row: CompanyWrite): Promise<void> {
    await this.db.writeTx((tx) => this.upsertMany(tx, [row]), 'upsertCompany');
  }

  /**
   * Changes the fields `patch` gives (a field set to null is cleared, a field left out keeps its
   * value) of company `id`, or creates it, in one transaction under the company's write lock:
   * refused with CONFLICT when `ifVersion` is given and stale, with BAD_USER_INPUT when the
   * merged company is invalid (`check` validates it).
   */
  async patch(
    id: string,
    patch: Record<string, unknown>,
    ifVersion: number | null | undefined,
    check: (merged: Record<string, unknown>) => CompanyWrite,
  ): Promise<void> {
    await this.db.writeTx(async (tx) => {
      const [locked] = await runIn<{ company: CompanyRow }>(tx, LOCK_COMPANY, { id });
      const current = locked?.company;
      checkVersion('company', id, current?.version ?? 0, ifVersion);
      const base = current
        ? {
            name: current.name,
            aliases: current.aliases,
            sectors: current.sectors,
            country: current.country,
            website: current.website,
            parentId: current.parentId,
          }
        : {};
      await this.upsertMany(tx, [check({ ...base, ...patch, id })]);
    }, 'upsertCompany');
  }

  /**
   * Deletes company `id`: refused with COMPANY_IN_USE while deals or subsidiaries reference it,
   * unless `cascade`, which deletes its subsidiaries all the way down and every deal of any of
   * them too (flows re-derived, sources no deal cites any more removed). Null when there is no
   * such company.
   */
  async delete(
    id: string,
    cascade: boolean,
    ifVersion: number | null | undefined,
    deals: DealDeleter,
  ): Promise<DeletedCompany | null> {
    return this.db.writeTx(async (tx) => {
      const [locked] = await runIn<{ company: CompanyRow }>(tx, LOCK_COMPANY, { id });
      if (!locked) {
        checkVersion('company', id, 0, ifVersion);
        return null;
      }
      checkVersion('company', id, locked.company.version, ifVersion);
      const [tree] = await runIn<{
        companyIds: string[];
        deals: { dealId: string; type: DealType }[];
      }>(tx, COMPANY_TREE_AND_DEALS, { id });
      const companyIds = tree?.companyIds ?? [id];
      const referencing = tree?.deals ?? [];
      const subsidiaryIds = companyIds.filter((c) => c !== id);
      if (!cascade && (referencing.length > 0 || subsidiaryIds.length > 0)) {
        throw new UserError(
          ErrorCode.COMPANY_IN_USE,
          `Company '${id}' still has ${referencing.length} deal(s) and ${subsidiaryIds.length} ` +
            'subsidiary(ies). Delete or move them first, or pass cascade: true to delete them ' +
            'with it.',
          { id, dealIds: referencing.map((d) => d.dealId), subsidiaryIds },
        );
      }
      await deals.deleteIn(
        tx,
        referencing.map((d) => d.dealId),
      );
      await runIn(tx, DELETE_COMPANIES, { ids: companyIds });
      return { companyId: id, deletedCompanyIds: companyIds, deletedDeals: referencing };
    }, 'deleteCompany');
  }

  async existingIds(tx: ManagedTransaction, ids: readonly string[]): Promise<Set<string>> {
    const rows = await runIn<{ id: string }>(tx, EXISTING_COMPANY_IDS, { ids });
    return new Set(rows.map((r) => r.id));
  }

  /** Child id -> parent id, for every stored link on the way up from the given companies. */
  async ancestorLinks(
    tx: ManagedTransaction,
    ids: readonly string[],
  ): Promise<Map<string, string>> {
    const rows = await runIn<{ id: string; parentId: string }>(tx, ANCESTOR_LINKS, { ids });
    return new Map(rows.map((r) => [r.id, r.parentId]));
  }
}

/** What deleting a company removed. */
export interface DeletedCompany {
  companyId: string;
  deletedCompanyIds: string[];
  deletedDeals: { dealId: string; type: DealType }[];
}

/** Deletes deals inside a caller's transaction (DealStore; passed in to avoid a cycle). */
export interface DealDeleter {
  deleteIn(tx: ManagedTransaction, ids: readonly string[]): Promise<void>;
}

export interface CompanyFilterParams {
  search?: string | null;
  sectors?: readonly string[] | null;
  country?: string | null;
  topLevelOnly?: boolean | null;
}

/**
 * The parameters of a company list, or null when it is empty anyway: a search text of punctuation
 * only has nothing the index could match.
 */
export function listParams(
  filter: CompanyFilterParams,
  page: PageRequest,
): (Record<string, unknown> & { search: string | null }) | null {
  const search = filter.search?.trim() ? luceneQuery(filter.search) : null;
  if (filter.search?.trim() && search === null) return null;
  return {
    search,
    sectors: filter.sectors?.length ? filter.sectors : null,
    country: filter.country?.toUpperCase() ?? null,
    topLevelOnly: filter.topLevelOnly ?? false,
    ...pageParams(page),
  };
}

function emptyTotals(): CompanyTotalsRow {
  return {
    investedUsd: 0,
    investedUnknownCount: 0,
    raisedUsd: 0,
    raisedUnknownCount: 0,
    committedUsd: 0,
    committedUnknownCount: 0,
    receivedUsd: 0,
    receivedUnknownCount: 0,
  };
}

/**
 * A user's search text as a Lucene query: its words as the index's standard analyzer splits them
 * (runs of letters and digits; `.`, `'` and `_` stay inside a word, as in `amazon.com`), each
 * matched as a prefix, all required. Everything else separates words, so `AT&T` finds AT&T and
 * Lucene syntax in the input is never interpreted. Null when the text has no words.
 */
export function luceneQuery(text: string): string | null {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}._']+/u)
    .map((word) => word.replace(/^[._']+|[._']+$/g, ''))
    .filter((word) => word.length > 0);
  return words.length ? words.map((word) => `${word}*`).join(' AND ') : null;
}
