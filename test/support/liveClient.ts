/**
 * Subscriptions in tests: a `graphql-ws` client (the one browsers and Node clients use) over the
 * `ws` WebSocket, and a recorder of what one subscription receives.
 */
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

export function liveClient(httpUrl: string, options: Partial<ClientOptions> = {}): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // The tests read closes from `on.closed` and the recorders; graphql-ws would print each one.
    onNonLazyError: () => undefined,
    ...options,
  });
}

export interface GraphQLErrorJson {
  message: string;
  extensions?: Record<string, unknown>;
}

/** What one subscription received: data of each event, errors, and whether it ended. */
export class Recorder<T> {
  readonly events: T[] = [];
  errors: GraphQLErrorJson[] = [];
  /** A socket-level failure (a CloseEvent or an Error). */
  failure: unknown;
  done = false;
  private stop: () => void = () => undefined;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...(result.errors as GraphQLErrorJson[]));
          if (result.data) this.events.push(result.data as T);
        },
        error: (error) => {
          if (Array.isArray(error)) this.errors.push(...(error as GraphQLErrorJson[]));
          else this.failure = error;
          this.done = true;
        },
        complete: () => {
          this.done = true;
        },
      },
    );
  }

  /**
   * Resolves once `n` events have come (or fails after `timeoutMs`, saying what did come: a wait
   * for something that should happen, not a speed check; the machine may be busy).
   */
  async waitFor(n: number, timeoutMs = 90_000): Promise<T[]> {
    await until(
      () => this.events.length >= n || this.done,
      timeoutMs,
      () => JSON.stringify({ events: this.events, errors: this.errors }),
    );
    return this.events;
  }

  /** Resolves once the subscription ended (an error, a completion, a closed socket). */
  async ended(timeoutMs = 90_000): Promise<void> {
    await until(
      () => this.done,
      timeoutMs,
      () => JSON.stringify(this.events),
    );
  }

  unsubscribe(): void {
    this.stop();
  }
}

/** Waits until `condition` holds, checking every 20 ms; fails after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 90_000,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; so far: ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
