/**
 * One cycle filter watched on this server, shared by every subscriber with that filter.
 *
 * It keeps the cycles that match the filter now (`known`), starting from one search of the whole
 * filter when the first subscriber comes. For each batch of changes from the log, after the
 * writes committed, it searches again only the cycles with a step between each changed company
 * pair (the pair's top-level parents, before and after the write:
 * `CycleStore.findCyclesThroughStep`), or through each top-level parent a parent change moved,
 * bounded by the filter's maxLength (at most 8); it compares what it finds with the known cycles
 * on the same step (through the same company) and emits FORMED (new), CHANGED (its deals or
 * figures differ) and BROKEN (gone, told as it last was).
 *
 * The searches are shared (hub.ts `sharedSearch`): the watches with the same deal filter take
 * the walks through a changed pair from one search at the longest length any of them watches
 * (the walks depend on nothing else), evaluated once per mix and time condition; each keeps the
 * cycles of its own lengths and `through`. When that one search is refused (more cycles through
 * the pair than the result cap) a watch searches on its own.
 *
 * Why that is exact: a cycle's existence and figures depend only on the deals of its own steps,
 * so a write can only affect the cycles with a step between the pair it changed. Each search reads the graph as
 * committed when it runs, which may already include later writes: an event may then come one
 * batch early, and the later change finds nothing left to tell. After the last change through a
 * cycle is processed, what the watch knows of it is what `circularDeals` says. So the cycles told
 * FORMED minus those told BROKEN, from the first search on, are `circularDeals(where:)`.
 *
 * The cause named is the latest change the search saw among those of the cycle's own deals
 * (or a parent change of its companies): the batch's, and the changes committed after it that
 * the log holds once the searches are done (`lookahead`), so an event that comes one batch early
 * still names the deal that closed, changed or broke the cycle.
 */
import { randomUUID } from 'node:crypto';
import type { CycleRow } from '../domain/flows.js';
import { ErrorCode, UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { tagRows } from '../resolvers/identity.js';
import type { Change } from '../stores/changeLogStore.js';
import type { CycleQuery, CycleStore } from '../stores/cycleStore.js';
import type { DealRow } from '../stores/rows.js';
import { cursorExpired, cycleCursor, type CycleCursor } from './cursors.js';
import type { EventQueue } from './eventQueue.js';
import type { BatchDeals, CycleEventKind, CycleEventRow, LivePayload } from './events.js';

export type CyclePayload = LivePayload<CycleEventRow>;

/** Events a watch keeps for subscribers that resume. */
const HISTORY = 10_000;
/** Company pairs whose last deal change a watch remembers (for the cause of root re-checks). */
const PAIR_MEMORY = 50_000;
/** Retries of a failed search (the database briefly away) before the watch gives up. */
const RETRY_DELAYS_MS = [500, 2_000, 5_000];

/** An event found by a batch's searches, told once its cause is known. */
interface Pending {
  kind: CycleEventKind;
  row: CycleRow;
  /** The cycle as the watch knew it before (CHANGED, BROKEN). */
  before: CycleRow | undefined;
  /** The change whose pair (or parent) was searched. */
  cause: Change;
}

interface Known {
  row: CycleRow;
  /** What the cycle's events compare: its steps' deals and their figures. */
  signature: string;
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Signatures of rows already compared: a shared search's rows are compared by every watch. */
const signatures = new WeakMap<CycleRow, string>();

/** The cycle's steps and passing deals: equal signatures, equal figures. */
function signature(row: CycleRow): string {
  let known = signatures.get(row);
  if (known === undefined) signatures.set(row, (known = computeSignature(row)));
  return known;
}

function computeSignature(row: CycleRow): string {
  return JSON.stringify(
    row.steps.map((s) => [
      s.fromId,
      s.toId,
      s.deals.map((d) => [d.id, d.type, d.amountUsd, d.announcedOn]),
    ]),
  );
}

/** A search through `companies` for a batch, shared with the watches of the same figures. */
export type SharedSearch = (
  batch: readonly Change[],
  companies: readonly string[],
  query: CycleQuery,
) => Promise<CycleRow[] | null>;

export interface WatchDeps {
  cycles: CycleStore;
  logger: Logger;
  /** The loader of a batch's deals that every subscriber of its events shares. */
  deals?: (batch: readonly Change[]) => BatchDeals;
  /** The cycles through `companies` of every length this watch needs; null: search alone. */
  shared?: SharedSearch;
  /**
   * The changes committed after the batch, read from the log no earlier than `notBefore` (ms):
   * what a search that ended before then may have seen besides the batch.
   */
  lookahead?: (batch: readonly Change[], notBefore: number) => Promise<readonly Change[]>;
  /** Called for every event emitted, with how many subscribers it went to. */
  published(kind: CycleEventKind, subscribers: number): void;
}

export class CycleWatch {
  /** Names this watch in its events' cursors. */
  readonly id = randomUUID().replaceAll('-', '').slice(0, 16);
  readonly subscribers = new Set<EventQueue<CyclePayload>>();
  /** Settles once the first search is done; rejects when it failed (the watch is unusable). */
  readonly ready: Promise<void>;
  /** Set when the watch can no longer follow the graph; its subscribers were told. */
  failed: UserError | undefined;
  /** When the last subscriber left (for dropping the watch after LIVE_RESUME_SECONDS). */
  idleSince: number | undefined;
  private readonly known = new Map<string, Known>();
  private readonly byCompany = new Map<string, Set<string>>();
  private readonly history: { index: number; payload: CyclePayload }[] = [];
  private nextIndex = 0;
  /** The last deal change through each company pair (`a|b`, a < b), oldest first. */
  private readonly lastDealChange = new Map<string, Change>();
  private chain: Promise<void>;
  private stopped = false;
  /** When the last search of the batch being processed had ended (ms). */
  private searchedAt = 0;

  constructor(
    readonly key: string,
    readonly query: CycleQuery,
    /** The DealCycle id suffix of this filter (resolvers/Flows.ts flowSuffix). */
    private readonly suffix: string,
    private readonly deps: WatchDeps,
  ) {
    this.ready = this.snapshot();
    this.chain = this.ready.catch(() => undefined);
  }

  /** Queues a batch of changes; batches are processed one after the other, in log order. */
  enqueue(changes: readonly Change[]): void {
    this.chain = this.chain.then(() => (this.failed ? undefined : this.process(changes)));
  }

  /** The log was emptied: start again from a fresh search, telling nothing. */
  reset(): void {
    this.chain = this.chain.then(async () => {
      this.known.clear();
      this.byCompany.clear();
      await this.snapshot().catch(() => undefined);
    });
  }

  /** Settles when every batch queued so far is processed (tests, shutdown). */
  idle(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
  }

  /**
   * Adds a subscriber; with a cursor of this watch, first the events after it (refused with
   * CURSOR_EXPIRED when they are no longer kept).
   */
  join(queue: EventQueue<CyclePayload>, after?: CycleCursor): void {
    if (after) {
      const oldest = this.history[0]?.index ?? this.nextIndex;
      if (after.watch !== this.id || after.index + 1 < oldest || after.index >= this.nextIndex)
        throw cursorExpired(
          after.watch !== this.id
            ? 'it was given by another server, or by this one before it restarted'
            : 'the events after it are no longer kept',
        );
      // Replayed events read their deals afresh: as they are now, not as when first sent.
      for (const h of this.history)
        if (h.index > after.index) queue.push({ ...h.payload, deals: undefined });
    }
    this.idleSince = undefined;
    this.subscribers.add(queue);
  }

  leave(queue: EventQueue<CyclePayload>): void {
    this.subscribers.delete(queue);
    if (this.subscribers.size === 0) this.idleSince = Date.now();
  }

  private async snapshot(): Promise<void> {
    const rows = await this.deps.cycles.cycles(this.query);
    for (const row of rows) this.remember(row);
  }

  private remember(row: CycleRow): void {
    tagRows([row], this.suffix);
    this.known.set(row.id, { row, signature: signature(row) });
    for (const c of row.companyIds) {
      let keys = this.byCompany.get(c);
      if (!keys) this.byCompany.set(c, (keys = new Set()));
      keys.add(row.id);
    }
  }

  private forget(row: CycleRow): void {
    this.known.delete(row.id);
    for (const c of row.companyIds) this.byCompany.get(c)?.delete(row.id);
  }

  /** The known cycles through every one of `companies`. */
  private knownThrough(companies: readonly string[]): Known[] {
    const [first, ...rest] = companies;
    const keys = this.byCompany.get(first as string) ?? new Set<string>();
    const out: Known[] = [];
    for (const key of keys) {
      const k = this.known.get(key);
      if (k && rest.every((c) => k.row.companyIds.includes(c))) out.push(k);
    }
    return out;
  }

  /** The known cycles with a step between `a` and `b`, either way. */
  private knownOnStep(a: string, b: string): Known[] {
    const key = pairKey(a, b);
    return this.knownThrough([a, b]).filter((k) =>
      k.row.steps.some((s) => pairKey(s.fromId, s.toId) === key),
    );
  }

  private async process(changes: readonly Change[]): Promise<void> {
    // Each pair (either direction) or moved parent once, with the last change that touched it.
    const units = new Map<string, { companies: string[]; cause: Change }>();
    for (const change of changes) {
      if (change.kind === 'REROOTED' || change.kind === 'FLOWS')
        for (const r of change.roots) units.set(`r:${r}`, { companies: [r], cause: change });
      for (const [a, b] of change.pairs) {
        const key = pairKey(a, b);
        units.set(`p:${key}`, { companies: [a, b], cause: change });
        this.lastDealChange.delete(key);
        this.lastDealChange.set(key, change);
        if (this.lastDealChange.size > PAIR_MEMORY)
          this.lastDealChange.delete(this.lastDealChange.keys().next().value as string);
      }
    }
    const pending: Pending[] = [];
    for (const { companies, cause } of units.values()) {
      if (this.stopped) return;
      const through = [...new Set([...companies, ...this.query.through])];
      let found: CycleRow[];
      try {
        found =
          through.length > this.query.maxLength ? [] : await this.searchUnit(changes, companies);
      } catch (error) {
        this.fail(error);
        return;
      }
      const seen = new Set<string>();
      for (const row of found) {
        seen.add(row.id);
        const before = this.known.get(row.id);
        if (before && before.signature === signature(row)) continue;
        if (before) this.forget(before.row);
        this.remember(row);
        pending.push({ kind: before ? 'CHANGED' : 'FORMED', row, before: before?.row, cause });
      }
      const affected =
        companies.length === 2
          ? this.knownOnStep(companies[0] as string, companies[1] as string)
          : this.knownThrough(companies);
      for (const k of affected) {
        if (seen.has(k.row.id)) continue;
        this.forget(k.row);
        pending.push({ kind: 'BROKEN', row: k.row, before: k.row, cause });
      }
    }
    if (pending.length === 0 || this.stopped) return;
    const later = await this.later(changes);
    const candidates = later.length ? [...changes, ...later] : changes;
    // The deals the changes deleted, those after the batch included (the search may have seen them).
    const goneDeals = candidates
      .filter((c) => c.kind === 'DELETED' && c.deal)
      .map((c) => c.deal as DealRow);
    const deals = this.deps.deals?.(changes);
    for (const deal of goneDeals) deals?.prime(deal.id, deal);
    for (const p of pending)
      this.emit(p.kind, p.row, this.causeOf(p, candidates), goneDeals, deals);
  }

  /** The cycles through `companies` this watch selects: from the shared search, or its own. */
  private async searchUnit(batch: readonly Change[], companies: string[]): Promise<CycleRow[]> {
    const shared = await this.deps.shared?.(batch, companies, this.query).catch(() => null);
    if (!shared) {
      const rows = await this.search([...new Set([...companies, ...this.query.through])]);
      this.searchedAt = Date.now();
      return rows;
    }
    this.searchedAt = Date.now();
    const { minLength, maxLength, through } = this.query;
    return shared.filter(
      (row) =>
        row.companyIds.length >= minLength &&
        row.companyIds.length <= maxLength &&
        through.every((c) => row.companyIds.includes(c)),
    );
  }

  /** The changes committed after the batch that the searches may have seen (none if unknown). */
  private async later(batch: readonly Change[]): Promise<readonly Change[]> {
    if (!this.deps.lookahead) return [];
    try {
      return await this.deps.lookahead(batch, this.searchedAt);
    } catch {
      return [];
    }
  }

  /**
   * What to name as the cause: the latest change among `candidates` of one of the cycle's own
   * deals (as it is now, or was before) on one of its steps, or of a parent of its companies;
   * failing that, the change whose pair was searched. For a flow refresh (an import re-derived
   * the flows after writing its deals), the last deal change through one of the cycle's steps.
   */
  private causeOf(p: Pending, candidates: readonly Change[]): Change {
    const steps = new Set(p.row.steps.map((s) => pairKey(s.fromId, s.toId)));
    const deals = new Set<string>();
    for (const row of [p.row, p.before])
      for (const s of row?.steps ?? []) for (const d of s.deals) deals.add(d.id);
    let best: Change | undefined;
    for (const c of candidates) {
      const touches =
        c.kind === 'REROOTED'
          ? c.roots.some((r) => p.row.companyIds.includes(r))
          : c.kind !== 'FLOWS' &&
            c.dealId !== null &&
            deals.has(c.dealId) &&
            c.pairs.some(([a, b]) => steps.has(pairKey(a, b)));
      if (touches && (!best || c.seq > best.seq)) best = c;
    }
    if (best) return best;
    if (p.cause.kind !== 'FLOWS') return p.cause;
    let latest: Change | undefined;
    for (const s of p.row.steps) {
      const c = this.lastDealChange.get(pairKey(s.fromId, s.toId));
      if (c && (!latest || c.seq > latest.seq)) latest = c;
    }
    return latest ?? p.cause;
  }

  private async search(through: string[]): Promise<CycleRow[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.deps.cycles.cycles({ ...this.query, through });
      } catch (error) {
        const code = error instanceof UserError ? error.extensions.code : undefined;
        const delay = RETRY_DELAYS_MS[attempt];
        // A result cap is not going away; anything else (a timeout, Neo4j away) may.
        if (code === ErrorCode.RESULT_LIMIT_EXCEEDED || delay === undefined || this.stopped)
          throw error;
        this.deps.logger.warn({ err: error, through }, 'live cycle search failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private fail(error: unknown): void {
    this.deps.logger.error({ err: error, filter: this.key }, 'a live cycle watch stopped');
    const reason =
      error instanceof UserError && error.extensions.code === ErrorCode.RESULT_LIMIT_EXCEEDED
        ? 'a write touched more cycles than the result cap (CYCLE_RESULT_CAP); narrow the filter'
        : 'the database did not answer its searches';
    this.failed = new UserError(
      ErrorCode.SUBSCRIPTION_FAILED,
      `This subscription can no longer follow the cycles of its filter: ${reason}. Subscribe ` +
        'again (without `after`) to start from the current state.',
    );
    for (const queue of this.subscribers) queue.fail(this.failed);
  }

  private emit(
    kind: CycleEventKind,
    cycle: CycleRow,
    cause: Change,
    goneDeals: DealRow[],
    deals: BatchDeals | undefined,
  ): void {
    const index = this.nextIndex++;
    const payload: CyclePayload = {
      event: {
        cursor: cycleCursor({ watch: this.id, index, seq: cause.seq }),
        kind,
        cycle,
        cause,
        at: new Date(cause.at).toISOString(),
      },
      goneDeals,
      ...(deals ? { deals } : {}),
      committedAt: cause.at,
    };
    this.history.push({ index, payload });
    if (this.history.length > HISTORY) this.history.shift();
    for (const queue of this.subscribers) queue.push(payload);
    this.deps.published(kind, this.subscribers.size);
  }
}
