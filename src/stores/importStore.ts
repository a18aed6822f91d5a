/**
 * The bulk import's writes and look-ups (src/importer): thousands of records per statement, each
 * set-based. Records new when the importer checked them are created here, in the graph shape
 * and with the properties the mutations' upserts give them; records already stored go through
 * those upserts (DealStore.upsertRows, CompanyStore.upsertMany). A batch keeps no flow graph in
 * step (the importer re-derives the flows of every payer it touched once, at the end:
 * FlowStore.refreshFromRoots) and checks nothing the importer has checked already.
 */
import type { ManagedTransaction } from 'neo4j-driver';
import type { DealWrite } from '../domain/validate.js';
import { runIn, type Database, type Statement } from '../neo4j/database.js';
import type { CompanyWrite } from '../domain/validate.js';
import { companyWriteHash } from './companyStore.js';
import { dealWriteHash } from './dealStore.js';
import type { DealType } from './rows.js';

/** The sources a batch of new deals cites, each created once (sources are shared by key). */
const MERGE_SOURCES: Statement = {
  name: 'importSources',
  cypher: `
    UNWIND $sources AS src
    MERGE (s:Source {key: src.key})
      ON CREATE SET s.publisher = src.publisher, s.title = src.title, s.url = src.url,
                    s.publishedOn = src.publishedOn`,
};

/**
 * Creates deals whose ids were new when the import checked them: CREATE instead of MERGE, no
 * old relationships to look for, and no Eager step, which makes it several times faster than
 * the upsert. Its sources exist already (MERGE_SOURCES). Should another writer have created one
 * of the ids since, the unique constraint fails the transaction and the importer writes the batch
 * again, upserted.
 */
const CREATE_DEALS: Statement = {
  name: 'importNewDeals',
  cypher: `
    UNWIND $rows AS row
    MATCH (payer:Company {id: row.fromId})
    MATCH (payee:Company {id: row.toId})
    CREATE (d:Deal:$(row.label))
    SET d += row.props
    CREATE (d)-[:FROM]->(payer)
    CREATE (d)-[:TO]->(payee)
    WITH d, row, payer, payee
    CALL (d, row) {
      UNWIND row.sourceKeys AS key
      MATCH (s:Source {key: key})
      CREATE (d)-[:REPORTED_BY]->(s)
    }
    RETURN d.id AS id, payer.rootId AS fromRoot, payee.rootId AS toRoot`,
};

/**
 * Companies whose ids were new when the import checked them: created with the properties an
 * upsert would give them (companyStore.ts UPSERT_COMPANIES), without looking for anything to
 * update. New companies have no deals, so no flow changes; their parents are linked next.
 */
const CREATE_COMPANIES: Statement = {
  name: 'importNewCompanies',
  cypher: `
    UNWIND $rows AS row
    CREATE (c:Company)
    SET c += row`,
};

const LINK_NEW_COMPANIES: Statement = {
  name: 'importNewCompanyParents',
  cypher: `
    UNWIND $rows AS row
    MATCH (c:Company {id: row.id})
    MATCH (p:Company {id: row.parentId})
    CREATE (c)-[:SUBSIDIARY_OF]->(p)`,
};

/** rootId of new companies, once their parents are linked (see flowStore.ts). */
const ROOT_NEW_COMPANIES: Statement = {
  name: 'importNewCompanyRoots',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company {id: id})-[:SUBSIDIARY_OF]->*(root:Company)
    WHERE NOT (root)-[:SUBSIDIARY_OF]->()
    SET c.rootId = root.id`,
};

const DEAL_TYPES: Statement = {
  name: 'importDealTypes',
  cypher: `UNWIND $ids AS id MATCH (d:Deal {id: id}) RETURN d.id AS id, d.type AS type`,
};

const COMPANY_IDS: Statement = {
  name: 'importCompanyIds',
  cypher: `UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN c.id AS id`,
};

/**
 * A marker that flows are being re-derived by an import: set before its first deal batch and
 * removed once its flows are right, so that an import that dies in between leaves a database
 * that FlowStore.needsRebuild() reports (the next start re-derives every flow).
 */
export const FLOWS_PENDING_LABEL = 'FlowRefreshPending';
const MARK_FLOWS_PENDING: Statement = {
  name: 'markFlowsPending',
  cypher: `MERGE (m:${FLOWS_PENDING_LABEL} {id: 'flows'}) SET m.since = timestamp()`,
};
const CLEAR_FLOWS_PENDING: Statement = {
  name: 'clearFlowsPending',
  cypher: `MATCH (m:${FLOWS_PENDING_LABEL}) DELETE m`,
};

/** The label of each type of deal, besides Deal (a closed list: labels never come from input). */
const DEAL_LABEL: Record<DealType, string> = {
  INVESTMENT: 'Investment',
  COMMITMENT: 'CloudCommitment',
};

/** One deal as the import wrote it. */
export interface WrittenDeal {
  id: string;
  /** null: the deal is new. */
  versionBefore: number | null;
  version: number;
  fromRootBefore: string | null;
  toRootBefore: string | null;
  fromRoot: string;
  toRoot: string;
}

/** Ids per look-up statement: large files are looked up in slices of this many. */
const LOOKUP_SLICE = 20_000;

async function sliced<T>(
  ids: readonly string[],
  look: (slice: readonly string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += LOOKUP_SLICE) {
    out.push(...(await look(ids.slice(i, i + LOOKUP_SLICE))));
  }
  return out;
}

export class ImportStore {
  constructor(private readonly db: Database) {}

  /** Creates companies that did not exist when checked (see CREATE_COMPANIES). */
  async createCompanies(tx: ManagedTransaction, rows: readonly CompanyWrite[]): Promise<void> {
    await runIn(tx, CREATE_COMPANIES, {
      rows: rows.map((row) => ({
        id: row.id,
        name: row.name,
        aliases: row.aliases,
        aliasText: row.aliases.map((a) => `${a}\n`).join(''),
        sectors: row.sectors,
        country: row.country,
        website: row.website,
        version: 1,
        writeHash: companyWriteHash(row),
      })),
    });
  }

  /** Links new companies to their parents (all written by now). */
  async linkNewCompanies(tx: ManagedTransaction, rows: readonly CompanyWrite[]): Promise<void> {
    const linked = rows.filter((r) => r.parentId);
    if (linked.length) await runIn(tx, LINK_NEW_COMPANIES, { rows: linked });
  }

  async rootNewCompanies(tx: ManagedTransaction, ids: readonly string[]): Promise<void> {
    await runIn(tx, ROOT_NEW_COMPANIES, { ids });
  }

  /**
   * Creates deals that did not exist when checked, in the caller's transaction (see
   * CREATE_DEALS); fails with Neo4j's constraint error when one exists now.
   */
  async createDeals(tx: ManagedTransaction, rows: readonly DealWrite[]): Promise<WrittenDeal[]> {
    const sources = new Map(rows.flatMap((r) => r.sources.map((s) => [s.key, s] as const)));
    await runIn(tx, MERGE_SOURCES, { sources: [...sources.values()] });
    const created = await runIn<{ id: string; fromRoot: string; toRoot: string }>(
      tx,
      CREATE_DEALS,
      {
        rows: rows.map((row) => {
          const { fromId, toId, sources: cited, ...fields } = row;
          return {
            fromId,
            toId,
            label: DEAL_LABEL[row.type],
            sourceKeys: cited.map((s) => s.key),
            props: { ...fields, version: 1, writeHash: dealWriteHash(row) },
          };
        }),
      },
    );
    return created.map((c) => ({
      ...c,
      versionBefore: null,
      version: 1,
      fromRootBefore: null,
      toRootBefore: null,
    }));
  }

  /** The type of each of these ids that is a stored deal. */
  async dealTypes(tx: ManagedTransaction, ids: readonly string[]): Promise<Map<string, DealType>> {
    const rows = await sliced(ids, (slice) =>
      runIn<{ id: string; type: DealType }>(tx, DEAL_TYPES, { ids: slice }),
    );
    return new Map(rows.map((r) => [r.id, r.type]));
  }

  /** The ids among these that are stored companies. */
  async companyIds(tx: ManagedTransaction, ids: readonly string[]): Promise<Set<string>> {
    const rows = await sliced(ids, (slice) =>
      runIn<{ id: string }>(tx, COMPANY_IDS, { ids: slice }),
    );
    return new Set(rows.map((r) => r.id));
  }

  async markFlowsPending(): Promise<void> {
    await this.db.write(MARK_FLOWS_PENDING);
  }

  async clearFlowsPending(tx: ManagedTransaction): Promise<void> {
    await runIn(tx, CLEAR_FLOWS_PENDING);
  }
}
