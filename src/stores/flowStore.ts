/**
 * The derived money-flow graph that cycle and path queries walk:
 *
 *   (a:Company)-[:FLOWS_TO {dealIds, types, kinds, statuses, amounts, dates}]->(b:Company)
 *
 * between top-level parents only (every company carries `rootId`, the id of its top-level
 * parent), one relationship per ordered pair, holding every deal that flows from a's corporate
 * tree to b's as parallel lists. A deal inside one tree (with its parent or a subsidiary) is
 * internal and never part of a flow. Lists cannot hold nulls, so an unknown amount is -1 and an
 * unknown date or kind is ''. `dates` are sort keys (YYYY-MM-DD), `announced` the dates as given.
 * A CANCELLED deal backs no cycle or path unless a filter asks for CANCELLED: `live` (some deal
 * is not cancelled) and `hasInvestment` / `hasCommitment` (among those deals) let the default,
 * unfiltered search check a step and the deal mix in Cypher without reading the lists; `amount`
 * (the known amounts of those deals summed, -1 when none is known) and `latest` (their latest
 * date key, '' when none is dated) let a ranked search bound a step's value the same way
 * (cycleStore.ts, ranked pages).
 *
 * Every write that can change a flow (a deal recorded or deleted, a parent changed) refreshes the
 * affected pairs in the same transaction, so the flow graph is never out of step with the deals.
 */
import type { ManagedTransaction } from 'neo4j-driver';
import { runIn, type Database, type Statement } from '../neo4j/database.js';

export type RootPair = [fromRoot: string, toRoot: string];

/**
 * The properties of FLOWS_TO `f` from the list `deals` (ordered by id): the one place that says
 * what a flow holds, for every statement that derives flows.
 */
const SET_FLOW_PROPERTIES = `
          f.dealIds = [d IN deals | d.id],
          f.types = [d IN deals | d.type],
          f.kinds = [d IN deals | coalesce(d.kind, '')],
          f.statuses = [d IN deals | d.status],
          f.amounts = [d IN deals | toFloat(coalesce(d.amountUsd, -1))],
          f.dates = [d IN deals | coalesce(d.announcedKey, '')],
          f.announced = [d IN deals | coalesce(d.announcedOn, '')],
          f.live = any(d IN deals WHERE d.status <> 'CANCELLED'),
          f.hasInvestment = any(d IN deals WHERE d.type = 'INVESTMENT' AND d.status <> 'CANCELLED'),
          f.hasCommitment = any(d IN deals WHERE d.type = 'COMMITMENT' AND d.status <> 'CANCELLED'),
          f.amount = reduce(s = -1.0, d IN deals | CASE WHEN d.status = 'CANCELLED' OR d.amountUsd IS NULL
            THEN s ELSE (CASE WHEN s < 0 THEN 0.0 ELSE s END) + toFloat(d.amountUsd) END),
          f.latest = reduce(l = '', d IN deals | CASE WHEN d.status <> 'CANCELLED'
            AND coalesce(d.announcedKey, '') > l THEN d.announcedKey ELSE l END)`;

/** The root pair each existing deal flows between, before a write moves or deletes it. */
const PAIRS_OF_DEALS: Statement = {
  name: 'flowPairsOfDeals',
  cypher: `
    UNWIND $ids AS id
    MATCH (payer:Company)<-[:FROM]-(:Deal {id: id})-[:TO]->(payee:Company)
    RETURN DISTINCT [payer.rootId, payee.rootId] AS pair`,
};

const ROOTS_OF_COMPANIES: Statement = {
  name: 'rootIdsOfCompanies',
  cypher: `
    UNWIND $ids AS id
    MATCH (c:Company {id: id})
    RETURN c.id AS id, c.rootId AS rootId`,
};

/**
 * Re-derives FLOWS_TO for each given pair from the deals: updated in place when deals remain,
 * deleted when none do. Pairs are grouped by their source root, so a hub's outgoing deals are
 * scanned once per call however many of its pairs a batch touches. Deals are ordered by id so
 * the same deals always give the same lists.
 */
const REFRESH_PAIRS: Statement = {
  name: 'refreshFlowPairs',
  cypher: `
    UNWIND $pairs AS pair
    WITH pair[0] AS fromRoot, collect(DISTINCT pair[1]) AS toRoots
    MATCH (a:Company {id: fromRoot})
    CALL (a, toRoots) {
      OPTIONAL MATCH (:Company {rootId: a.id})<-[:FROM]-(d:Deal)-[:TO]->(y:Company)
      WHERE y.rootId IN toRoots AND y.rootId <> a.id
      WITH y.rootId AS toRoot, d ORDER BY d.id
      WITH toRoot, collect(d) AS deals WHERE toRoot IS NOT NULL
      RETURN collect({toRoot: toRoot, deals: deals}) AS groups
    }
    UNWIND toRoots AS toRoot
    MATCH (b:Company {id: toRoot})
    WITH a, b, coalesce([g IN groups WHERE g.toRoot = toRoot][0].deals, []) AS deals
    CALL (a, b, deals) {
      OPTIONAL MATCH (a)-[stale:FLOWS_TO]->(b)
      WITH stale WHERE stale IS NOT NULL AND size(deals) = 0
      DELETE stale
    }
    CALL (a, b, deals) {
      WITH a, b, deals WHERE size(deals) > 0
      MERGE (a)-[f:FLOWS_TO]->(b)
      SET ${SET_FLOW_PROPERTIES}
    }
    RETURN count(*) AS refreshed`,
};

/**
 * Re-derives every FLOWS_TO out of each given root from its tree's deals: the root's flows are
 * dropped and created again from one scan of the tree's outgoing deals. For bulk work (an import,
 * a rebuild): re-deriving pair by pair scans a hub's deals once per batch of pairs, and MERGE on
 * a hub checks its thousands of flows for each pair; CREATE checks nothing.
 */
const REFRESH_FROM_ROOTS: Statement = {
  name: 'refreshFlowsFromRoots',
  cypher: `
    UNWIND $roots AS root
    MATCH (a:Company {id: root})
    CALL (a) {
      MATCH (a)-[old:FLOWS_TO]->()
      DELETE old
    }
    CALL (a) {
      MATCH (:Company {rootId: a.id})<-[:FROM]-(d:Deal)-[:TO]->(y:Company)
      WHERE y.rootId <> a.id
      WITH y.rootId AS toRoot, d ORDER BY d.id
      WITH toRoot, collect(d) AS deals
      MATCH (b:Company {id: toRoot})
      CREATE (a)-[f:FLOWS_TO]->(b)
      SET ${SET_FLOW_PROPERTIES}
    }
    RETURN count(*) AS refreshed`,
};

/**
 * Sets rootId on every company in the subtrees of the given companies and returns the roots
 * that changed (before and after), whose flows must then be re-derived.
 */
const SET_ROOT_IDS: Statement = {
  name: 'setRootIds',
  cypher: `
    UNWIND $ids AS id
    MATCH (:Company {id: id})<-[:SUBSIDIARY_OF]-*(c:Company)
    WITH DISTINCT c
    MATCH (c)-[:SUBSIDIARY_OF]->*(root:Company)
    WHERE NOT (root)-[:SUBSIDIARY_OF]->()
    WITH c, c.rootId AS before, root.id AS after
    SET c.rootId = after
    WITH before, after WHERE before IS NULL OR before <> after
    RETURN collect(DISTINCT before) + collect(DISTINCT after) AS changedRoots,
      collect(DISTINCT CASE WHEN before IS NOT NULL THEN before END)
        + collect(DISTINCT CASE WHEN before IS NOT NULL THEN after END) AS movedRoots`,
};

/** Every pair that involves one of the given roots, from the deals and from existing flows. */
const PAIRS_OF_ROOTS: Statement = {
  name: 'flowPairsOfRoots',
  cypher: `
    UNWIND $roots AS r
    CALL (r) {
      MATCH (:Company {rootId: r})<-[:FROM|TO]-(d:Deal)
      MATCH (payer:Company)<-[:FROM]-(d)-[:TO]->(payee:Company)
      RETURN [payer.rootId, payee.rootId] AS pair
      UNION
      MATCH (a:Company {id: r})-[:FLOWS_TO]->(b:Company)
      RETURN [a.id, b.id] AS pair
      UNION
      MATCH (a:Company)-[:FLOWS_TO]->(b:Company {id: r})
      RETURN [a.id, b.id] AS pair
    }
    RETURN DISTINCT pair`,
};

const ALL_COMPANY_IDS: Statement = {
  name: 'allTopLevelCompanyIds',
  cypher: `MATCH (c:Company) WHERE NOT (c)-[:SUBSIDIARY_OF]->() RETURN c.id AS id`,
};

const DROP_ALL_FLOWS: Statement = {
  name: 'dropAllFlows',
  cypher: `MATCH ()-[f:FLOWS_TO]->() DELETE f`,
};

/**
 * Companies without rootId, flows derived before `live` existed (older databases), or an import
 * that stopped before it re-derived its flows (its FlowRefreshPending marker, importStore.ts).
 */
const NEEDS_REBUILD: Statement = {
  name: 'flowsNeedRebuild',
  cypher: `
    RETURN EXISTS { MATCH (c:Company) WHERE c.rootId IS NULL }
        OR EXISTS { MATCH ()-[f:FLOWS_TO]->() WHERE f.live IS NULL OR f.amount IS NULL }
        OR EXISTS { MATCH (:FlowRefreshPending) } AS needed`,
};

const CLEAR_FLOWS_PENDING: Statement = {
  name: 'clearFlowsPendingOnRebuild',
  cypher: `MATCH (m:FlowRefreshPending) DELETE m`,
};

export class FlowStore {
  constructor(private readonly db: Database) {}

  /** Before deals are rewritten or deleted: the pairs they flow between now. */
  async pairsOfDeals(tx: ManagedTransaction, dealIds: readonly string[]): Promise<RootPair[]> {
    const rows = await runIn<{ pair: RootPair }>(tx, PAIRS_OF_DEALS, { ids: dealIds });
    return rows.map((r) => r.pair);
  }

  /** The pairs that deals between these companies flow between. */
  async pairsOfCompanies(
    tx: ManagedTransaction,
    pairs: readonly [string, string][],
  ): Promise<RootPair[]> {
    const ids = [...new Set(pairs.flat())];
    const rows = await runIn<{ id: string; rootId: string }>(tx, ROOTS_OF_COMPANIES, { ids });
    const rootOf = new Map(rows.map((r) => [r.id, r.rootId]));
    return pairs.map(([from, to]) => [rootOf.get(from) ?? from, rootOf.get(to) ?? to]);
  }

  async refreshPairs(tx: ManagedTransaction, pairs: readonly RootPair[]): Promise<void> {
    if (pairs.length) await runIn(tx, REFRESH_PAIRS, { pairs });
  }

  /**
   * After companies were written: keeps rootId right in their subtrees and, where a top-level
   * parent changed, re-derives every flow of the old and the new roots. Returns the roots of
   * existing companies that moved to another top-level parent, before and after (new companies
   * left out: they have no flows yet), for the change log.
   */
  async afterCompaniesWritten(
    tx: ManagedTransaction,
    companyIds: readonly string[],
  ): Promise<string[]> {
    const [row] = await runIn<{ changedRoots: string[]; movedRoots: string[] }>(tx, SET_ROOT_IDS, {
      ids: companyIds,
    });
    const roots = row?.changedRoots ?? [];
    if (roots.length === 0) return [];
    const pairs = await runIn<{ pair: RootPair }>(tx, PAIRS_OF_ROOTS, { roots });
    await this.refreshPairs(
      tx,
      pairs.map((p) => p.pair),
    );
    return [...new Set(row?.movedRoots ?? [])];
  }

  /** True when companies lack rootId or flows lack `live` or `amount` (written by an older version). */
  async needsRebuild(): Promise<boolean> {
    const [row] = await this.db.read<{ needed: boolean }>(NEEDS_REBUILD);
    return row?.needed ?? false;
  }

  /**
   * Re-derives every flow out of the given roots, in the caller's transaction (see
   * REFRESH_FROM_ROOTS). Roots that are no longer top-level parents lose their flows.
   */
  async refreshFromRoots(tx: ManagedTransaction, roots: readonly string[]): Promise<void> {
    if (roots.length) await runIn(tx, REFRESH_FROM_ROOTS, { roots });
  }

  /** Re-derives rootId and every flow from scratch, in one transaction. */
  async rebuildAll(): Promise<void> {
    await this.db.writeTx(async (tx) => {
      await runIn(tx, DROP_ALL_FLOWS);
      const roots = (await runIn<{ id: string }>(tx, ALL_COMPANY_IDS)).map((r) => r.id);
      await runIn(tx, SET_ROOT_IDS, { ids: roots });
      await this.refreshFromRoots(tx, roots);
      await runIn(tx, CLEAR_FLOWS_PENDING);
    }, 'rebuildFlows');
  }
}
