/**
 * Tails the change log (src/stores/changeLogStore.ts): every LIVE_POLL_MS it reads the changes
 * committed since the last it saw, at most a bounded batch per read (reading on at once while
 * batches come back full), and hands each batch, in order, to the hub. Every server runs one;
 * they all read the same log, so each hears every writer: mutations on any server, and the
 * import CLI. It reads only while someone listens (a server without subscribers sends Neo4j
 * nothing), starting from the log's head when the first subscriber comes. Apart from that, it
 * prunes the log past its retention every PRUNE_EVERY_MS.
 */
import type { Logger } from '../logger.js';
import type { Change, ChangeLogStore } from '../stores/changeLogStore.js';

/** Changes read at most per poll: bounded work and memory however far behind a server is. */
export const FEED_BATCH = 500;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface FeedOptions {
  pollMs: number;
  retentionMs: number;
  logger: Logger;
}

export type BatchListener = (changes: Change[]) => Promise<void>;

export class ChangeFeed {
  /** The last sequence number handed on. */
  position = 0;
  /** The last sequence number pruned from the log: cursors before it cannot be resumed. */
  prunedThrough = 0;
  private timer: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private activating: Promise<void> | undefined;
  private active = false;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly store: ChangeLogStore,
    private readonly listener: BatchListener,
    private readonly onReset: () => void,
    /** Whether anyone listens: the feed stops reading when no one does. */
    private readonly wanted: () => boolean,
    private readonly options: FeedOptions,
  ) {}

  start(): void {
    this.pruner = setInterval(() => {
      this.store
        .prune(Date.now() - this.options.retentionMs)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'could not prune the change log'),
        );
    }, PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  /**
   * Starts reading, from the log's head, unless it reads already: what a subscriber hears starts
   * no earlier than this (its first search, or its replay, covers what came before).
   */
  activate(): Promise<void> {
    if (this.active) return Promise.resolve();
    this.activating ??= this.store
      .read(0, 0)
      .then((batch) => {
        this.position = batch.head;
        this.prunedThrough = batch.prunedThrough;
        this.active = true;
        this.schedule();
      })
      .finally(() => {
        this.activating = undefined;
      });
    return this.activating;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pruner) clearInterval(this.pruner);
    await this.running;
  }

  /** Reads the changes after `after` (for a subscriber that resumes), oldest first. */
  read(after: number, limit: number) {
    return this.store.read(after, limit);
  }

  private schedule(delay = this.options.pollMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll().finally(() => {
        this.running = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (!this.wanted()) {
      this.active = false;
      return;
    }
    let full = false;
    try {
      const batch = await this.store.read(this.position, FEED_BATCH);
      this.prunedThrough = batch.prunedThrough;
      if (batch.head < this.position) {
        // The log is shorter than what was read: the database was emptied (tests do). Start
        // again from its head; what subscribers were told no longer describes the graph.
        this.options.logger.warn(
          { position: this.position, head: batch.head },
          'the change log was reset; live events start again from its head',
        );
        this.position = batch.head;
        this.onReset();
      } else if (batch.changes.length) {
        this.position = (batch.changes.at(-1) as Change).seq;
        await this.listener(batch.changes);
        full = batch.changes.length === FEED_BATCH;
      }
      if (this.failing) this.options.logger.info('reading the change log again');
      this.failing = false;
    } catch (error) {
      // Neo4j away: live events pause and resume where they were, nothing lost.
      if (!this.failing) this.options.logger.warn({ err: error }, 'cannot read the change log');
      this.failing = true;
    }
    this.schedule(full ? 0 : this.options.pollMs);
  }
}
