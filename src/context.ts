import type { LiveConnection, LiveHub } from './live/hub.js';
import type { Loaders } from './loaders.js';
import type { Stores } from './stores/index.js';

/** Who is calling, as far as writes are concerned. */
export interface Caller {
  /** False when the server has no ADMIN_TOKEN: writes are disabled. */
  writesEnabled: boolean;
  /** True when the request carried the right `Authorization: Bearer <ADMIN_TOKEN>`. */
  isAdmin: boolean;
  /** True when the request carried a bearer token at all (right or wrong). */
  presentedToken: boolean;
}

/** What every resolver receives. Built fresh for each request. */
export interface Context {
  stores: Stores;
  loaders: Loaders;
  caller: Caller;
  requestId: string;
  /** Who is calling, for rate limits: a hash of the bearer token, else the address. */
  client: string;
  /** The estimated cost of the operation, set once it is computed (src/http/queryLimits.ts). */
  cost: { estimate: number };
  /** Live events: the server's hub, and for a subscription over WebSocket its connection. */
  live?: { hub: LiveHub; connection?: LiveConnection };
}
