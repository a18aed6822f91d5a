import type { Database, Statement } from './database.js';

/**
 * Constraints and indexes, created at start-up. Each is `IF NOT EXISTS`, so running them on every
 * start (and from several processes at once) is safe.
 */
export const MIGRATIONS: Statement[] = [
  {
    name: 'constraint company_id',
    cypher: 'CREATE CONSTRAINT company_id IF NOT EXISTS FOR (c:Company) REQUIRE c.id IS UNIQUE',
  },
  {
    name: 'constraint deal_id',
    cypher: 'CREATE CONSTRAINT deal_id IF NOT EXISTS FOR (d:Deal) REQUIRE d.id IS UNIQUE',
  },
  {
    name: 'constraint source_key',
    cypher: 'CREATE CONSTRAINT source_key IF NOT EXISTS FOR (s:Source) REQUIRE s.key IS UNIQUE',
  },
  {
    name: 'index deal_announced',
    cypher: 'CREATE INDEX deal_announced IF NOT EXISTS FOR (d:Deal) ON (d.announcedKey)',
  },
  {
    name: 'index deal_amount',
    cypher: 'CREATE INDEX deal_amount IF NOT EXISTS FOR (d:Deal) ON (d.amountUsd)',
  },
  {
    name: 'index company_name',
    cypher: 'CREATE INDEX company_name IF NOT EXISTS FOR (c:Company) ON (c.name)',
  },
  {
    // Flow maintenance finds a tree's deals through the companies' top-level parent.
    name: 'index company_root',
    cypher: 'CREATE INDEX company_root IF NOT EXISTS FOR (c:Company) ON (c.rootId)',
  },
  {
    // Records written before versions existed start at version 1 (stores/versions.ts).
    name: 'company and deal versions',
    cypher: `
      CALL () { MATCH (c:Company) WHERE c.version IS NULL SET c.version = 1 }
      CALL () { MATCH (d:Deal) WHERE d.version IS NULL SET d.version = 1 }`,
  },
  {
    // The change log (src/stores/changeLogStore.ts): one head node, changes read by sequence
    // number and pruned by age.
    name: 'constraint change_log_head',
    cypher:
      'CREATE CONSTRAINT change_log_head IF NOT EXISTS FOR (h:ChangeLogHead) REQUIRE h.id IS UNIQUE',
  },
  {
    name: 'index change_seq',
    cypher: 'CREATE INDEX change_seq IF NOT EXISTS FOR (c:Change) ON (c.seq)',
  },
  {
    name: 'index change_at',
    cypher: 'CREATE INDEX change_at IF NOT EXISTS FOR (c:Change) ON (c.at)',
  },
  {
    name: 'fulltext company_search',
    cypher:
      'CREATE FULLTEXT INDEX company_search IF NOT EXISTS FOR (c:Company) ON EACH [c.name, c.aliasText]',
  },
];

export async function migrate(db: Database): Promise<void> {
  for (const statement of MIGRATIONS) {
    try {
      await db.write(statement);
    } catch (error) {
      // Two processes starting together can race to create the same index; the loser's
      // "equivalent index already exists" means the work is done.
      const code = (error as { code?: string }).code ?? '';
      if (!code.includes('EquivalentSchemaRuleAlreadyExists')) throw error;
    }
  }
  await db.read({ name: 'await indexes', cypher: 'CALL db.awaitIndexes(60)' }, {}, 70_000);
}
