/** What a live event carries from the hub to the subscription resolvers. */
import type DataLoader from 'dataloader';
import type { CycleRow } from '../domain/flows.js';
import type { Change } from '../stores/changeLogStore.js';
import type { DealRow } from '../stores/rows.js';

export type CycleEventKind = 'FORMED' | 'CHANGED' | 'BROKEN';

/** CycleEvent: the cycle as found (BROKEN: as it last was) and the change that caused it. */
export interface CycleEventRow {
  cursor: string;
  kind: CycleEventKind;
  cycle: CycleRow;
  /** The deal change, or the parent change (REROOTED), that led to the event. */
  cause: Change;
  at: string;
}

export interface DealEventRow {
  cursor: string;
  change: Change;
  at: string;
}

/** The deals of one batch's events, read once for all their subscribers. */
export type BatchDeals = DataLoader<string, DealRow | null>;

/**
 * One event on its way to a subscriber: besides the event, the deals it may show that no longer
 * exist (deleted by the changes behind it), so that a BROKEN cycle can still list its deals, and
 * the loader of its batch's deals, which every subscriber of the batch's events shares (a
 * hundred subscribers of one deal cost one read of it, not a hundred).
 */
export interface LivePayload<E> {
  event: E;
  goneDeals: readonly DealRow[];
  deals?: BatchDeals;
  /** When the change was committed, ms since the epoch: for the delivery lag. */
  committedAt: number;
}
