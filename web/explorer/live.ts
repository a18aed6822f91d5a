/**
 * Live updates: the explorer hears the API's subscriptions (GraphQL over WebSocket, the
 * `graphql-transport-ws` protocol, on this same origin's /graphql) and tells the page when what
 * it shows may have changed: `dealEvents` for the drawing, `cycleEvents` (with the page's own
 * cycle filter) for the list of circular deals. The page then asks the API again and updates in
 * place; nothing here keeps graph logic.
 *
 * One socket for the page, opened while something is watched. It reconnects on its own (backing
 * off to at most 15 s) and resumes each subscription after the last event it saw (`after`), so
 * nothing written meanwhile is missed; when the server no longer has those events
 * (CURSOR_EXPIRED), the page is told to reload what it shows. A small status says whether the
 * updates are live.
 */
import { createClient, type Client } from 'graphql-ws/client';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'off';

/** A deal write, as `DealEvent.change` selects it below. */
export interface LiveDealChange {
  dealId: string;
  kind: 'RECORDED' | 'CHANGED' | 'DELETED';
  fromCompanyId: string;
  toCompanyId: string;
  /** The deal as it is now, with its parties' parents (a deal with AWS concerns Amazon). */
  deal: {
    from: { id: string; parent: { id: string } | null };
    to: { id: string; parent: { id: string } | null };
  } | null;
}

/** A cycle that formed, changed or broke, as `CycleEvent` is selected below. */
export interface LiveCycleEvent {
  kind: 'FORMED' | 'CHANGED' | 'BROKEN';
  cycle: { key: string };
  /** The deal write behind it; null when companies moved to another parent (`parentChange`). */
  cause: { dealId: string; kind: LiveDealChange['kind'] } | null;
}

export interface LiveHandlers {
  /** The `CycleFilter` of the cycles shown (the company in `through`, the page's filters). */
  cycleWhere: Record<string, unknown>;
  onDeal(change: LiveDealChange): void;
  onCycle(event: LiveCycleEvent): void;
  /** Events were missed and cannot be replayed: reload what is shown. */
  onGap(): void;
}

const DEAL_EVENTS = /* GraphQL */ `
  subscription ExplorerDealEvents($after: String) {
    dealEvents(after: $after) {
      cursor
      change {
        dealId
        kind
        fromCompanyId
        toCompanyId
        deal {
          id
          from {
            id
            parent {
              id
            }
          }
          to {
            id
            parent {
              id
            }
          }
        }
      }
    }
  }
`;

const CYCLE_EVENTS = /* GraphQL */ `
  subscription ExplorerCycleEvents($where: CycleFilter, $after: String) {
    cycleEvents(where: $where, after: $after) {
      cursor
      kind
      cycle {
        id
        key
      }
      cause {
        dealId
        kind
      }
      parentChange {
        companyIds
      }
    }
  }
`;

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  off: 'live updates off',
};

const STATUS_TITLE: Record<LiveStatus, string> = {
  connecting: 'Connecting to the live feed of new deals.',
  live: 'New deals appear as they are recorded.',
  reconnecting: 'The live feed was cut; reconnecting. Deals recorded meanwhile will follow.',
  off: 'The live feed is not available; reload the page to see new deals.',
};

interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: string };
}

/** The first GraphQL error's code, when the subscription ended with errors. */
function errorCode(error: unknown): string | undefined {
  return Array.isArray(error) ? (error as GraphQLErrorLike[])[0]?.extensions?.code : undefined;
}

function errorText(error: unknown): string {
  if (Array.isArray(error)) {
    const first = (error as GraphQLErrorLike[])[0];
    return first
      ? `${first.message}${first.extensions?.code ? ` (${first.extensions.code})` : ''}`
      : '';
  }
  const close = error as { code?: number; reason?: string };
  if (typeof close?.code === 'number')
    return `closed ${close.code}${close.reason ? `: ${close.reason}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

export class LiveFeed {
  private client: Client | undefined;
  private watching = 0;
  private connected = false;
  private everConnected = false;
  /** Events heard since the page opened, kept on the status as `data-events`. */
  private heard = 0;

  constructor(private readonly statusBox: HTMLElement) {
    this.show(null);
  }

  /** Starts watching; the returned function stops. Only one view watches at a time. */
  watch(handlers: LiveHandlers): () => void {
    const client = this.connect();
    this.watching += 1;
    this.show(this.connected ? 'live' : this.everConnected ? 'reconnecting' : 'connecting');
    let stopped = false;
    const stops = [
      this.subscribe<{ dealEvents: { cursor: string; change: LiveDealChange } }>(
        client,
        DEAL_EVENTS,
        {},
        (data) => handlers.onDeal(data.dealEvents.change),
        (data) => data.dealEvents.cursor,
        handlers,
        () => stopped,
      ),
      this.subscribe<{ cycleEvents: LiveCycleEvent & { cursor: string } }>(
        client,
        CYCLE_EVENTS,
        { where: handlers.cycleWhere },
        (data) => handlers.onCycle(data.cycleEvents),
        (data) => data.cycleEvents.cursor,
        handlers,
        () => stopped,
      ),
    ];
    return () => {
      if (stopped) return;
      stopped = true;
      this.watching -= 1;
      for (const stop of stops) stop();
      if (this.watching === 0) this.show(null);
    };
  }

  /**
   * One subscription that resumes where it left off: graphql-ws sends the same payload again
   * after a reconnection, so `after` is kept in it, moved on with every event.
   */
  private subscribe<T>(
    client: Client,
    query: string,
    variables: Record<string, unknown>,
    onData: (data: T) => void,
    cursorOf: (data: T) => string,
    handlers: LiveHandlers,
    stopped: () => boolean,
  ): () => void {
    const payload = { query, variables: { ...variables, after: null as string | null } };
    let dispose = (): void => {};
    const start = (): void => {
      dispose = client.subscribe<T>(payload, {
        next: (result) => {
          if (stopped() || !result.data) return;
          this.heard += 1;
          this.statusBox.dataset.events = String(this.heard);
          payload.variables.after = cursorOf(result.data);
          onData(result.data);
        },
        error: (error) => {
          if (stopped()) return;
          if (errorCode(error) === 'CURSOR_EXPIRED') {
            // The server no longer has what was missed: start afresh and reload the view.
            payload.variables.after = null;
            handlers.onGap();
            start();
            return;
          }
          this.show('off', errorText(error));
        },
        complete: () => {},
      });
    };
    start();
    return () => dispose();
  }

  private connect(): Client {
    if (this.client) return this.client;
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.client = createClient({
      url: `${scheme}//${window.location.host}/graphql`,
      // Keep the socket a moment between views (a new company is a new watch).
      lazyCloseTimeout: 5_000,
      keepAlive: 20_000,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      retryWait: async (retries) => {
        const ms = Math.min(15_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
      on: {
        connected: () => {
          this.connected = true;
          this.everConnected = true;
          if (this.watching > 0) this.show('live');
        },
        closed: () => {
          this.connected = false;
          if (this.watching > 0 && this.statusBox.dataset.live !== 'off') {
            this.show(this.everConnected ? 'reconnecting' : 'connecting');
          }
        },
      },
    });
    return this.client;
  }

  /** null hides the status (nothing is watched). */
  private show(status: LiveStatus | null, detail = ''): void {
    const box = this.statusBox;
    box.hidden = status === null;
    if (status === null) {
      delete box.dataset.live;
      return;
    }
    box.dataset.live = status;
    box.textContent = STATUS_TEXT[status];
    box.title = detail ? `${STATUS_TITLE[status]} (${detail})` : STATUS_TITLE[status];
  }
}
