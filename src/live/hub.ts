/**
 * The live side of one server: the change feed it tails, the cycle watches (one per distinct
 * filter), the deal-event subscribers, and the limits and metrics around them. Subscription
 * resolvers (src/resolvers/Subscription.ts) come here for their event streams; the WebSocket
 * server (wsServer.ts) for the connection limits.
 *
 * Nothing here is on the write path: writes append to the log and return; the hub reads the log
 * afterwards and pushes into per-subscriber queues without waiting, and a subscriber whose queue
 * or socket backs up is disconnected (SLOW_CONSUMER), never waited for.
 */
import DataLoader from 'dataloader';
import type { WebSocket } from 'ws';
import type { LiveSettings } from '../config.js';
import { canonicalJson } from '../resolvers/identity.js';
import type { Logger } from '../logger.js';
import type { CycleRow } from '../domain/flows.js';
import type { Change } from '../stores/changeLogStore.js';
import type { CycleQuery, FoundWalk } from '../stores/cycleStore.js';
import type { DealFilterParams } from '../stores/dealStore.js';
import type { Stores } from '../stores/index.js';
import type { DealRow } from '../stores/rows.js';
import { ChangeFeed, FEED_BATCH } from './changeFeed.js';
import { cursorExpired, dealCursor, type CycleCursor } from './cursors.js';
import { CycleWatch, type CyclePayload } from './cycleWatch.js';
import { dealPredicate, type DealPredicate } from './dealFilter.js';
import { EventQueue } from './eventQueue.js';
import type { BatchDeals, DealEventRow, LivePayload } from './events.js';

export type DealPayload = LivePayload<DealEventRow>;

/** WebSocket close codes of this server (4000-4999 are the application's). */
export const CloseCode = {
  /** The subscriber let events pile up past LIVE_MAX_QUEUED_EVENTS / LIVE_MAX_BUFFERED_BYTES. */
  SLOW_CONSUMER: 4008,
  /** The server holds LIVE_MAX_CONNECTIONS connections already. */
  TOO_MANY_CONNECTIONS: 4029,
  /** The server is shutting down: reconnect (to another replica) and resume with `after`. */
  GOING_AWAY: 1001,
} as const;

/** What the hub reports to the metrics (src/http/metrics.ts). */
export interface LiveObserver {
  subscriptions(kind: 'cycles' | 'deals', delta: number): void;
  connections(delta: number): void;
  published(kind: string, subscribers: number): void;
  /** Seconds from a change's commit to its event being handed to the socket. */
  delivered(lagSeconds: number): void;
  slowConsumer(): void;
  /** A pair searched for the live watches: a new search (true) or one shared (false). */
  sharedSearch(ran: boolean): void;
}

/** What a subscription knows of its connection. */
export interface LiveConnection {
  socket: WebSocket;
}

interface DealSubscriber {
  matches: DealPredicate;
  queue: EventQueue<DealPayload>;
  /** While the subscriber replays missed events: live ones wait here. */
  held: DealPayload[] | null;
}

export class LiveHub {
  private readonly feed: ChangeFeed;
  private readonly watches = new Map<string, CycleWatch>();
  private readonly dealSubscribers = new Set<DealSubscriber>();
  private chain: Promise<void> = Promise.resolve();
  /** Per batch: the shared searches of its pairs (see sharedSearch). */
  private readonly searches = new WeakMap<readonly Change[], Map<string, SharedRun>>();
  /** Per batch: its events' deals, read once for every subscriber (see batchDeals). */
  private readonly deals = new WeakMap<readonly Change[], BatchDeals>();
  /** Per batch: the last read of the changes after it (see lookahead). */
  private readonly lookaheads = new WeakMap<readonly Change[], Lookahead>();
  private connections = 0;
  /**
   * Subscriptions being set up: the feed keeps reading for them (a poll that found nobody
   * listening while a resuming subscriber checked its cursor stopped the feed for good).
   */
  private joining = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly stores: Stores,
    private readonly settings: LiveSettings,
    private readonly logger: Logger,
    private readonly observer: LiveObserver,
  ) {
    this.feed = new ChangeFeed(
      stores.changes,
      (changes) => this.onBatch(changes),
      () => {
        for (const w of this.watches.values()) w.reset();
      },
      () => this.watches.size > 0 || this.dealSubscribers.size > 0 || this.joining > 0,
      { pollMs: settings.pollMs, retentionMs: settings.retentionHours * 3_600_000, logger },
    );
  }

  get limits(): LiveSettings {
    return this.settings;
  }

  start(): void {
    this.feed.start();
    this.sweeper = setInterval(() => this.sweep(), 10_000);
    this.sweeper.unref();
  }

  /** Stops tailing and ends every stream (the sockets are closed by the WebSocket server). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.feed.stop();
    for (const w of this.watches.values()) {
      w.stop();
      for (const q of [...w.subscribers]) await q.return();
    }
    for (const s of [...this.dealSubscribers]) await s.queue.return();
    this.watches.clear();
  }

  /**
   * A WebSocket connection opens: false when the server holds LIVE_MAX_CONNECTIONS already (the
   * caller closes it); otherwise counted until `connectionClosed`.
   */
  connectionOpened(): boolean {
    if (this.connections >= this.settings.maxConnections) return false;
    this.connections++;
    this.observer.connections(1);
    return true;
  }

  connectionClosed(): void {
    this.connections--;
    this.observer.connections(-1);
  }

  connectionCount(): number {
    return this.connections;
  }

  /** Subscriptions being served now (tests wait for theirs before writing). */
  subscriptionCount(): number {
    let n = this.dealSubscribers.size;
    for (const w of this.watches.values()) n += w.subscribers.size;
    return n;
  }

  /**
   * Settles once every change committed before the call has been read and turned into events
   * (tests: to tell that a write caused nothing).
   */
  async caughtUp(): Promise<void> {
    const { head } = await this.feed.read(0, 0);
    while (this.feed.position < head && this.subscriptionCount() > 0)
      await new Promise((r) => setTimeout(r, this.settings.pollMs / 2));
    await this.chain;
    await Promise.all([...this.watches.values()].map((w) => w.idle()));
  }

  /** The stream of cycle events of one filter; `key` identifies the filter (see cycleKey). */
  async cycleEvents(
    query: CycleQuery,
    suffix: string,
    after: CycleCursor | undefined,
    connection: LiveConnection | undefined,
  ): Promise<AsyncIterableIterator<CyclePayload>> {
    const key = cycleKey(query);
    await this.feed.activate();
    let watch = this.watches.get(key);
    if (watch?.failed) {
      this.dropWatch(watch);
      watch = undefined;
    }
    if (!watch) {
      if (after) throw cursorExpired('this server no longer follows its filter');
      watch = new CycleWatch(key, query, suffix, {
        cycles: this.stores.cycles,
        logger: this.logger,
        shared: (batch, companies, q) => this.sharedSearch(batch, companies, q),
        deals: (batch) => this.batchDeals(batch),
        lookahead: (batch, notBefore) => this.lookahead(batch, notBefore),
        published: (kind, n) => this.observer.published(`cycle_${kind.toLowerCase()}`, n),
      });
      this.watches.set(key, watch);
    }
    try {
      await watch.ready;
    } catch (error) {
      this.dropWatch(watch);
      throw error;
    }
    const w = watch;
    const queue: EventQueue<CyclePayload> = new EventQueue(
      this.settings.maxQueuedEvents,
      () => this.slow(connection),
      () => {
        w.leave(queue);
        this.observer.subscriptions('cycles', -1);
      },
    );
    w.join(queue, after);
    this.observer.subscriptions('cycles', 1);
    return queue;
  }

  /** The stream of deal events matching `filter`, after `afterSeq` when resuming. */
  async dealEvents(
    filter: DealFilterParams,
    afterSeq: number | undefined,
    connection: LiveConnection | undefined,
  ): Promise<AsyncIterableIterator<DealPayload>> {
    const subscriber: DealSubscriber = {
      matches: dealPredicate(filter),
      held: afterSeq === undefined ? null : [],
      queue: new EventQueue<DealPayload>(
        this.settings.maxQueuedEvents,
        () => this.slow(connection),
        () => {
          this.dealSubscribers.delete(subscriber);
          this.observer.subscriptions('deals', -1);
        },
      ),
    };
    this.joining++;
    try {
      await this.feed.activate();
      if (afterSeq !== undefined) {
        const { head, prunedThrough } = await this.feed.read(0, 0);
        if (afterSeq > head) throw cursorExpired('the change log was reset since');
        if (afterSeq < prunedThrough)
          throw cursorExpired(
            `the log keeps ${this.settings.retentionHours} hours of changes and the events after it are gone`,
          );
      }
      this.dealSubscribers.add(subscriber);
    } finally {
      this.joining--;
    }
    this.observer.subscriptions('deals', 1);
    if (afterSeq !== undefined) void this.replayDeals(subscriber, afterSeq);
    return subscriber.queue;
  }

  /** Sends a resuming subscriber the deal events it missed, then the live ones it held. */
  private async replayDeals(subscriber: DealSubscriber, afterSeq: number): Promise<void> {
    let at = afterSeq;
    try {
      for (;;) {
        const target = this.feed.position;
        if (at >= target) break;
        const { changes } = await this.feed.read(at, Math.min(FEED_BATCH, target - at));
        if (changes.length === 0) break;
        const rows = await this.currentDeals(changes);
        for (const change of changes) {
          const payload = this.dealPayload(change, rows, subscriber.matches, changes);
          if (payload) subscriber.queue.push(payload);
        }
        at = (changes.at(-1) as Change).seq;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'could not replay missed deal events');
      subscriber.queue.fail(error);
      return;
    }
    const held = subscriber.held ?? [];
    subscriber.held = null;
    for (const p of held) if (cursorSeq(p) > at) subscriber.queue.push(p);
  }

  private onBatch(changes: Change[]): Promise<void> {
    for (const w of this.watches.values()) w.enqueue(changes);
    // Deal events wait for the deals' current rows, one read per batch; in order.
    this.chain = this.chain.then(() => this.dispatchDeals(changes));
    return Promise.resolve();
  }

  /**
   * The cycles through `companies` for a watch: one walk search per batch, pair and deal filter
   * (the walks depend on nothing else), at the shortest and longest lengths the watches of that
   * filter ask, whatever their `through`; its cycles evaluated once per mix and time condition.
   * Each watch then keeps those of its own lengths and `through`. Null when the watch must search
   * alone: the shared search was refused (more cycles through the pair than the result cap, which
   * a narrower `through` may not reach) or did not cover its lengths.
   */
  private async sharedSearch(
    batch: readonly Change[],
    companies: readonly string[],
    query: CycleQuery,
  ): Promise<CycleRow[] | null> {
    const filter = canonicalJson(query.filter);
    const key = `${filter}#${[...companies].sort().join('|')}`;
    let runs = this.searches.get(batch);
    if (!runs) this.searches.set(batch, (runs = new Map()));
    let run = runs.get(key);
    if (!run) {
      let { minLength, maxLength } = query;
      for (const w of this.watches.values())
        if (!w.failed && canonicalJson(w.query.filter) === filter) {
          minLength = Math.min(minLength, w.query.minLength);
          maxLength = Math.max(maxLength, w.query.maxLength);
        }
      // A pair's change can only affect the cycles with a step between the two; a parent change,
      // those through the company.
      const [a, b] = companies as [string, string | undefined];
      const walks = (
        b === undefined
          ? this.stores.cycles.findCycles({
              through: [a],
              minLength,
              maxLength,
              filter: query.filter,
            })
          : this.stores.cycles.findCyclesThroughStep({
              pair: [a, b],
              minLength,
              maxLength,
              filter: query.filter,
            })
      ).catch(() => null);
      run = { minLength, maxLength, walks, rows: new Map() };
      runs.set(key, run);
      this.observer.sharedSearch(true);
    } else this.observer.sharedSearch(false);
    if (run.minLength > query.minLength || run.maxLength < query.maxLength) return null;
    const figures = figuresKey(query);
    let rows = run.rows.get(figures);
    if (!rows) {
      const walks = await run.walks;
      rows = walks ? this.stores.cycles.evaluateCycles(walks, query) : null;
      run.rows.set(figures, rows);
    }
    return rows;
  }

  /**
   * The changes committed after `batch` (at most a feed batch), read from the log at or after
   * `notBefore`: one read per batch shared by the watches whose searches had ended by then.
   */
  private lookahead(batch: readonly Change[], notBefore: number): Promise<readonly Change[]> {
    const last = batch.at(-1);
    if (!last) return Promise.resolve([]);
    const seen = this.lookaheads.get(batch);
    if (seen && seen.readAt >= notBefore) return seen.changes;
    const changes = this.feed.read(last.seq, FEED_BATCH).then((b) => b.changes);
    this.lookaheads.set(batch, { readAt: Date.now(), changes });
    return changes;
  }

  private async dispatchDeals(changes: Change[]): Promise<void> {
    if (this.dealSubscribers.size === 0 || this.stopped) return;
    let rows: Map<string, DealRow>;
    try {
      rows = await this.currentDeals(changes);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read the deals of live events; sent without');
      rows = new Map();
    }
    let sent = 0;
    for (const s of this.dealSubscribers) {
      for (const change of changes) {
        const payload = this.dealPayload(change, rows, s.matches, changes);
        if (!payload) continue;
        sent++;
        if (s.held) s.held.push(payload);
        else s.queue.push(payload);
      }
    }
    this.observer.published('deal', sent);
  }

  /**
   * The rows to match the deals recorded or changed in `changes` against (one read per batch): as
   * they are now, or, for a deal deleted since, as it was when deleted (from the DELETED change in
   * the batch or just after it), so that a filtered subscriber hears a deal recorded and deleted
   * between two reads of the log.
   */
  private async currentDeals(changes: readonly Change[]): Promise<Map<string, DealRow>> {
    const ids = [
      ...new Set(changes.filter((c) => c.kind !== 'DELETED' && c.dealId).map((c) => c.dealId!)),
    ];
    if (ids.length === 0) return new Map();
    const rows = await this.batchDeals(changes).loadMany(ids);
    const found = new Map(
      rows.filter((r): r is DealRow => r !== null && !(r instanceof Error)).map((r) => [r.id, r]),
    );
    if (found.size === ids.length) return found;
    const deleted = (list: readonly Change[]): void => {
      for (const c of list)
        if (c.kind === 'DELETED' && c.deal && !found.has(c.deal.id)) found.set(c.deal.id, c.deal);
    };
    deleted(changes);
    if (ids.some((id) => !found.has(id))) deleted(await this.lookahead(changes, Date.now()));
    return found;
  }

  /**
   * The loader of the deals a batch's events show, shared by all their subscribers (the deals
   * the batch deleted primed), so each deal is read once per batch however many subscribers.
   */
  private batchDeals(batch: readonly Change[]): BatchDeals {
    let loader = this.deals.get(batch);
    if (!loader) {
      loader = new DataLoader((ids: readonly string[]) => this.stores.deals.byIds(ids));
      for (const c of batch) if (c.kind === 'DELETED' && c.deal) loader.prime(c.deal.id, c.deal);
      this.deals.set(batch, loader);
    }
    return loader;
  }

  /**
   * The event of one change for one subscriber, or null when the deal does not match its filter:
   * as it is now, or (a change or deletion) as it was before.
   */
  private dealPayload(
    change: Change,
    current: Map<string, DealRow>,
    matches: DealPredicate,
    batch: readonly Change[],
  ): DealPayload | null {
    if (!change.dealId) return null;
    const now = change.kind === 'DELETED' ? undefined : current.get(change.dealId);
    if (!(now && matches(now)) && !(change.deal && matches(change.deal))) return null;
    return {
      event: { cursor: dealCursor(change.seq), change, at: new Date(change.at).toISOString() },
      goneDeals: change.kind === 'DELETED' && change.deal ? [change.deal] : [],
      deals: this.batchDeals(batch),
      committedAt: change.at,
    };
  }

  /**
   * An event is being sent: measures its lag, and disconnects a subscriber whose socket holds
   * more unsent bytes than LIVE_MAX_BUFFERED_BYTES (the client does not read).
   */
  delivered(committedAt: number, connection: LiveConnection | undefined): void {
    this.observer.delivered((Date.now() - committedAt) / 1000);
    if (connection && connection.socket.bufferedAmount > this.settings.maxBufferedBytes)
      this.slow(connection);
  }

  /** A subscriber fell behind: its connection is closed, with a code that says why. */
  private slow(connection: LiveConnection | undefined): void {
    this.observer.slowConsumer();
    connection?.socket.close(
      CloseCode.SLOW_CONSUMER,
      'SLOW_CONSUMER: events piled up unread; reconnect and resume with `after`',
    );
  }

  /** Drops watches nobody has listened to for LIVE_RESUME_SECONDS. */
  private sweep(): void {
    const limit = Date.now() - this.settings.resumeSeconds * 1000;
    for (const w of this.watches.values())
      if (w.subscribers.size === 0 && (w.idleSince ?? Infinity) <= limit) this.dropWatch(w);
  }

  private dropWatch(watch: CycleWatch): void {
    watch.stop();
    if (this.watches.get(watch.key) === watch) this.watches.delete(watch.key);
  }
}

/** A search shared by the watches of one batch (see LiveHub.sharedSearch). */
interface SharedRun {
  minLength: number;
  maxLength: number;
  walks: Promise<FoundWalk[] | null>;
  /** The walks' cycles per mix and time condition (figuresKey); null: the search was refused. */
  rows: Map<string, CycleRow[] | null>;
}

interface Lookahead {
  readAt: number;
  changes: Promise<readonly Change[]>;
}

/** What decides which walks are cycles of a query, and their figures, besides the deal filter. */
function figuresKey(query: CycleQuery): string {
  const { mix, timeRespecting, maxSpanDays } = query;
  return canonicalJson({ mix, timeRespecting, maxSpanDays });
}

/** Subscribers whose filters select the same cycles with the same figures share a watch. */
export function cycleKey(query: CycleQuery): string {
  const { through, minLength, maxLength, filter, mix, timeRespecting, maxSpanDays } = query;
  return canonicalJson({ through, minLength, maxLength, filter, mix, timeRespecting, maxSpanDays });
}

function cursorSeq(p: DealPayload): number {
  return p.event.change.seq;
}
