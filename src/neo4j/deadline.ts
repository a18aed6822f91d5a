/**
 * The deadline of the request being served. The HTTP layer opens a scope per GraphQL request;
 * the database bounds every unit of work by what is left of it (the wait for a heavy-query slot
 * included), so that no request outlives its deadline however Neo4j behaves.
 *
 * An AsyncLocalStorage rather than a parameter: the deadline belongs to the request, and the
 * stores between the resolvers and the database have no business passing it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<{ deadline: number }>();

/** Runs `work` (and everything it starts) with a deadline `ms` from now. */
export function withDeadline<T>(ms: number, work: () => T): T {
  return scope.run({ deadline: performance.now() + ms }, work);
}

/** Milliseconds left before the current request's deadline; undefined outside a request. */
export function remainingMs(): number | undefined {
  const current = scope.getStore();
  return current ? current.deadline - performance.now() : undefined;
}
