/**
 * Reads and writes for article extraction (src/extraction/ is pure; its Cypher lives here): the
 * companies the gazetteer is built from, the recorded deals a draft may duplicate, and the
 * recording of confirmed drafts.
 */
import { badInput } from '../errors.js';
import type { DealWrite } from '../domain/validate.js';
import type { DraftPartyRef } from '../extraction/recordInput.js';
import { type Database, type Statement } from '../neo4j/database.js';
import { COMPANY_ROW, type CompanyStore } from './companyStore.js';
import { DEAL_SCALARS, dealColumn, type DealStore } from './dealStore.js';
import type { CompanyRow, DealRow, DealType } from './rows.js';

/** Most companies the gazetteer reads: the whole graph, far beyond today's size. */
export const GAZETTEER_MAX_COMPANIES = 100_000;

/**
 * Every company with its names and aliases, as CompanyStore reads them (its row projection), for
 * the gazetteer: one query, ordered so that the gazetteer is the same on every read.
 */
const GAZETTEER_COMPANIES: Statement = {
  name: 'gazetteerCompanies',
  cypher: `
    MATCH (c:Company)
    WITH c ORDER BY c.id
    LIMIT ${GAZETTEER_MAX_COMPANIES}
    RETURN ${COMPANY_ROW} AS company`,
};

/** Most recorded deals compared with one draft (the newest); more between one pair is unusual. */
const MAX_DEALS_PER_PAIR = 50;

/** The deal `d` as a DealRow: the same projection as DealStore's, built from its columns. */
const DEAL_ROW = `d {
  .id, .type, ${DEAL_SCALARS.map((field) => dealColumn(field, 'd')).join(', ')},
  fromId: [(d)-[:FROM]->(f) | f.id][0],
  toId: [(d)-[:TO]->(t) | t.id][0]
}`;

/**
 * For each pair, the recorded deals of that type between the two companies' corporate families
 * (Anthropic -> Amazon finds Anthropic -> Amazon Web Services), newest first: both ends are
 * rolled up to their top-level parents, and every company below each is a candidate.
 */
const DEALS_BETWEEN_FAMILIES: Statement = {
  name: 'dealsBetweenFamilies',
  cypher: `
    UNWIND $pairs AS pair
    MATCH (:Company {id: pair.fromId})-[:SUBSIDIARY_OF]->*(fromRoot:Company)
    WHERE NOT (fromRoot)-[:SUBSIDIARY_OF]->()
    MATCH (:Company {id: pair.toId})-[:SUBSIDIARY_OF]->*(toRoot:Company)
    WHERE NOT (toRoot)-[:SUBSIDIARY_OF]->()
    CALL (pair, fromRoot, toRoot) {
      MATCH (fromRoot)<-[:SUBSIDIARY_OF]-*(:Company)<-[:FROM]-(d:Deal)-[:TO]->(:Company)-[:SUBSIDIARY_OF]->*(toRoot)
      WHERE d.type = pair.type
      WITH DISTINCT d ORDER BY d.announcedKey DESC, d.id
      LIMIT ${MAX_DEALS_PER_PAIR}
      RETURN collect(${DEAL_ROW}) AS deals
    }
    RETURN pair.key AS key, deals`,
};

export interface DealPair {
  type: DealType;
  fromId: string;
  toId: string;
}

export class ExtractionStore {
  constructor(
    private readonly db: Database,
    private readonly companies: CompanyStore,
    private readonly deals: DealStore,
  ) {}

  /**
   * Records reviewed drafts in one transaction: the companies they name and the graph lacks are
   * created (when the draft gave a name), then the deals are written by DealStore.recordMany with
   * its checks. Any problem throws BAD_USER_INPUT and the transaction writes nothing.
   */
  async recordDrafts(parties: readonly DraftPartyRef[], deals: DealWrite[]): Promise<void> {
    await this.db.writeTx(async (tx) => {
      const known = await this.companies.existingIds(
        tx,
        parties.map((p) => p.id),
      );
      const missing = parties.filter((p) => !known.has(p.id));
      const unnamed = missing.filter((p) => !p.create);
      if (unnamed.length) {
        throw badInput(
          unnamed.map((p) => ({
            field: p.field,
            message: `no company with id '${p.id}': choose an existing company, or give a name to create it`,
          })),
        );
      }
      const create = new Map(missing.map((p) => [p.id, p.create!]));
      if (create.size) await this.companies.upsertMany(tx, [...create.values()]);
      await this.deals.recordMany(tx, deals);
    }, 'recordDrafts');
  }

  /** Every company (up to GAZETTEER_MAX_COMPANIES), by id, for the gazetteer. */
  async gazetteerCompanies(): Promise<CompanyRow[]> {
    const rows = await this.db.read<{ company: CompanyRow }>(GAZETTEER_COMPANIES);
    return rows.map((r) => r.company);
  }

  /** The recorded deals between each pair's corporate families, in pair order. */
  async dealsBetweenFamilies(pairs: readonly DealPair[]): Promise<DealRow[][]> {
    if (pairs.length === 0) return [];
    const rows = await this.db.read<{ key: number; deals: DealRow[] }>(DEALS_BETWEEN_FAMILIES, {
      pairs: pairs.map((p, key) => ({ ...p, key })),
    });
    const byKey = new Map(rows.map((r) => [r.key, r.deals]));
    return pairs.map((_, key) => byKey.get(key) ?? []);
  }
}
