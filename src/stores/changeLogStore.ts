/**
 * The change log: one (:Change) node per deal write, created in the SAME transaction as the
 * write, so a change is in the log exactly when the write committed. Every server tails it
 * (src/live/changeFeed.ts) to tell its subscribers, whichever process wrote: a mutation on any
 * server, or `npm run import`.
 *
 *   (:ChangeLogHead {id: 'changes', seq, prunedThrough})
 *   (:Change {seq, at, kind, dealId, type, fromId, toId, version, pairs, roots, deal})
 *
 * Sequence numbers: every appending transaction adds to `seq` on the one head node, and Neo4j
 * takes the head's write lock before reading it (the SET reads the property it writes), holding
 * it to commit. So writers from any number of processes are serialised on that node for the
 * short end of their transaction, numbers are never reused, and a transaction that holds n+1
 * can only commit after the one that holds n: a reader never sees n+1 before n (no gaps to wait
 * for). A rolled-back write rolls its numbers back too. Appending is the last statement of a
 * write transaction, so the lock is held only from there to the commit.
 *
 * Retention: changes older than the retention (LIVE_RETENTION_HOURS) are pruned; the head keeps
 * `prunedThrough`, the last sequence number pruned: a cursor before it has lost events
 * (CURSOR_EXPIRED).
 */
import type { ManagedTransaction } from 'neo4j-driver';
import { runIn, type Database, type Statement } from '../neo4j/database.js';
import type { DealRow, DealType } from './rows.js';

/**
 * What a change did: a deal recorded, rewritten with different fields, deleted; companies moved
 * to another top-level parent (REROOTED: a parent change), which changes the flows of those
 * roots; or the flows of some roots re-derived after a bulk import wrote their deals (FLOWS).
 */
export type ChangeKind = 'RECORDED' | 'CHANGED' | 'DELETED' | 'REROOTED' | 'FLOWS';

/** One change as a write appends it. */
export interface ChangeInput {
  kind: ChangeKind;
  /** Deal changes: the deal and its parties as written (for a deletion: as they were). */
  dealId?: string | null;
  type?: DealType | null;
  fromId?: string | null;
  toId?: string | null;
  version?: number | null;
  /** The top-level-parent pairs the write changed flows between: before and after, a != b. */
  pairs: [string, string][];
  /** REROOTED: the top-level parents whose trees changed (before and after); FLOWS: the roots
   * whose outgoing flows were re-derived. */
  roots?: string[];
  /**
   * CHANGED and DELETED: the deal as it was before the write, so that events can still show a
   * deleted deal, and a deal event filter can match what a deal was.
   */
  deal?: DealRow | null;
}

/** One change as the log holds it. */
export interface Change {
  seq: number;
  /** Commit time (the writing transaction's clock), ms since the epoch. */
  at: number;
  kind: ChangeKind;
  dealId: string | null;
  type: DealType | null;
  fromId: string | null;
  toId: string | null;
  version: number | null;
  pairs: [string, string][];
  roots: string[];
  deal: DealRow | null;
}

const HEAD = `MERGE (h:ChangeLogHead {id: 'changes'}) ON CREATE SET h.seq = 0, h.prunedThrough = 0`;

/**
 * Appends a batch of changes in one statement. `pairs` travel flattened ([a, b, c, d]: property
 * lists cannot nest) and a deleted deal as JSON.
 */
const APPEND_CHANGES: Statement = {
  name: 'appendChanges',
  cypher: `
    ${HEAD}
    SET h.seq = h.seq + size($changes)
    WITH h.seq - size($changes) AS base, timestamp() AS at
    UNWIND range(0, size($changes) - 1) AS i
    WITH base + i + 1 AS seq, at, $changes[i] AS c
    CREATE (:Change {
      seq: seq, at: at, kind: c.kind, dealId: c.dealId, type: c.type, fromId: c.fromId,
      toId: c.toId, version: c.version, pairs: c.pairs, roots: c.roots, deal: c.deal
    })
    RETURN max(seq) AS last`,
};

/**
 * The changes after `after`, oldest first, at most `limit`, with the head: a head below `after`
 * means the log was emptied (a test wiping the database), and the reader starts again from it.
 */
const READ_CHANGES: Statement = {
  name: 'readChanges',
  cypher: `
    OPTIONAL MATCH (h:ChangeLogHead {id: 'changes'})
    WITH coalesce(h.seq, 0) AS head, coalesce(h.prunedThrough, 0) AS prunedThrough
    CALL (head) {
      MATCH (c:Change) WHERE c.seq > $after AND c.seq <= head
      WITH c ORDER BY c.seq LIMIT toInteger($limit)
      RETURN collect(c {.*}) AS changes
    }
    RETURN head, prunedThrough, changes`,
};

/** Deletes the changes committed before `cutoff`, a bounded number at a time. */
const PRUNE_CHANGES: Statement = {
  name: 'pruneChanges',
  cypher: `
    MATCH (c:Change) WHERE c.at < $cutoff
    WITH c ORDER BY c.seq LIMIT toInteger($limit)
    WITH collect(c) AS old, max(c.seq) AS last
    CALL (old, last) {
      WITH old, last WHERE last IS NOT NULL
      ${HEAD}
      SET h.prunedThrough = CASE WHEN last > h.prunedThrough THEN last ELSE h.prunedThrough END
      FOREACH (c IN old | DELETE c)
    }
    RETURN size(old) AS pruned`,
};

/**
 * Each deal's version, write hash and the top-level parents it flows between, read before and
 * after a write to tell what changed.
 */
const DEAL_STATES: Statement = {
  name: 'dealStatesForChangeLog',
  cypher: `
    UNWIND $ids AS id
    MATCH (d:Deal {id: id})
    RETURN d.id AS id, d.version AS version, d.writeHash AS hash, d.type AS type,
      [(d)-[:FROM]->(f:Company) | f.id][0] AS fromId,
      [(d)-[:TO]->(t:Company) | t.id][0] AS toId,
      [(d)-[:FROM]->(f:Company) | f.rootId][0] AS fromRoot,
      [(d)-[:TO]->(t:Company) | t.rootId][0] AS toRoot`,
};

export type DealState = {
  id: string;
  version: number;
  hash: string | null;
  type: DealType;
  fromId: string;
  toId: string;
  fromRoot: string;
  toRoot: string;
};

/** Rows as they leave Neo4j: pairs flattened, the deal as JSON. */
interface StoredChange extends Omit<Change, 'pairs' | 'deal' | 'roots'> {
  pairs: string[] | null;
  roots: string[] | null;
  deal: string | null;
}

function fromStored(row: StoredChange): Change {
  const flat = row.pairs ?? [];
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    pairs.push([flat[i] as string, flat[i + 1] as string]);
  return {
    seq: row.seq,
    at: row.at,
    kind: row.kind,
    dealId: row.dealId ?? null,
    type: row.type ?? null,
    fromId: row.fromId ?? null,
    toId: row.toId ?? null,
    version: row.version ?? null,
    pairs,
    roots: row.roots ?? [],
    deal: row.deal ? (JSON.parse(row.deal) as DealRow) : null,
  };
}

/** The flow pair of a deal's parties, when it is one (a deal inside one tree is none). */
function pairOf(state: Pick<DealState, 'fromRoot' | 'toRoot'>): [string, string][] {
  return state.fromRoot && state.toRoot && state.fromRoot !== state.toRoot
    ? [[state.fromRoot, state.toRoot]]
    : [];
}

function samePair(a: [string, string][], b: [string, string][]): boolean {
  return a.length === b.length && a.every((p, i) => p[0] === b[i]?.[0] && p[1] === b[i]?.[1]);
}

export interface ChangeBatch {
  head: number;
  prunedThrough: number;
  changes: Change[];
}

export class ChangeLogStore {
  constructor(private readonly db: Database) {}

  /**
   * Appends changes in the caller's write transaction: one statement however many. Call it last
   * in the transaction (it takes the log's lock until commit). Nothing happens for none.
   */
  async appendChanges(tx: ManagedTransaction, changes: readonly ChangeInput[]): Promise<void> {
    if (changes.length === 0) return;
    await runIn(tx, APPEND_CHANGES, {
      changes: changes.map((c) => ({
        kind: c.kind,
        dealId: c.dealId ?? null,
        type: c.type ?? null,
        fromId: c.fromId ?? null,
        toId: c.toId ?? null,
        version: c.version ?? null,
        pairs: c.pairs.flat(),
        roots: c.roots ?? [],
        deal: c.deal ? JSON.stringify(c.deal) : null,
      })),
    });
  }

  /** The current state of each existing deal, for `dealWrites` and `dealDeletes`. */
  async dealStates(
    tx: ManagedTransaction,
    ids: readonly string[],
  ): Promise<Map<string, DealState>> {
    if (ids.length === 0) return new Map();
    const rows = await runIn<DealState>(tx, DEAL_STATES, { ids });
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * After deals were written in `tx`: appends a RECORDED change for each new deal and a CHANGED
   * change for each whose write changed it (its version moved); a write of the same fields again
   * changes nothing and is not logged. `before`: dealStates before the write; `previous`: the
   * rows of the deals that existed, as they were.
   */
  async logDealWrites(
    tx: ManagedTransaction,
    ids: readonly string[],
    before: Map<string, DealState>,
    previous: readonly DealRow[] = [],
  ): Promise<void> {
    const rows = new Map(previous.map((d) => [d.id, d]));
    const after = await this.dealStates(tx, [...new Set(ids)]);
    const changes: ChangeInput[] = [];
    for (const [id, now] of after) {
      const was = before.get(id);
      if (was && was.version === now.version) continue;
      const pairs = [...(was ? pairOf(was) : []), ...pairOf(now)];
      const unique = pairs.filter((p, i) => !pairs.slice(0, i).some((q) => samePair([q], [p])));
      changes.push({
        kind: was ? 'CHANGED' : 'RECORDED',
        dealId: id,
        type: now.type,
        fromId: now.fromId,
        toId: now.toId,
        version: now.version,
        pairs: unique,
        deal: was ? (rows.get(id) ?? null) : null,
      });
    }
    await this.appendChanges(tx, changes);
  }

  /** After deals were deleted in `tx`: a DELETED change for each, with the deal as it was. */
  async logDealDeletes(
    tx: ManagedTransaction,
    deleted: readonly DealRow[],
    before: Map<string, DealState>,
  ): Promise<void> {
    const changes: ChangeInput[] = [];
    for (const deal of deleted) {
      const was = before.get(deal.id);
      changes.push({
        kind: 'DELETED',
        dealId: deal.id,
        type: deal.type,
        fromId: deal.fromId,
        toId: deal.toId,
        version: deal.version,
        pairs: was ? pairOf(was) : [],
        deal,
      });
    }
    await this.appendChanges(tx, changes);
  }

  /** After companies moved to other top-level parents: one REROOTED change naming the roots. */
  async logReroot(tx: ManagedTransaction, roots: readonly string[]): Promise<void> {
    if (roots.length)
      await this.appendChanges(tx, [{ kind: 'REROOTED', pairs: [], roots: [...roots] }]);
  }

  /** The changes after `after`, oldest first, at most `limit`, and the log's head. */
  async read(after: number, limit: number): Promise<ChangeBatch> {
    const [row] = await this.db.read<{
      head: number;
      prunedThrough: number;
      changes: StoredChange[];
    }>(READ_CHANGES, { after, limit });
    return {
      head: row?.head ?? 0,
      prunedThrough: row?.prunedThrough ?? 0,
      changes: (row?.changes ?? []).map(fromStored),
    };
  }

  /** Deletes up to `limit` changes committed before `cutoffMs`; returns how many. */
  async prune(cutoffMs: number, limit = 10_000): Promise<number> {
    const [row] = await this.db.write<{ pruned: number }>(PRUNE_CHANGES, {
      cutoff: cutoffMs,
      limit,
    });
    return row?.pruned ?? 0;
  }
}
