import type { DealCycleConnectionResolvers } from '../generated/graphql.js';
import type { CycleRow } from '../domain/flows.js';
import type { CycleQuery } from '../stores/cycleStore.js';
import type { Connection } from '../stores/pagination.js';

/**
 * A page of cycles as the cycle resolvers return it. `totalCount` is known when the search found
 * every cycle anyway; otherwise it is null and `countQuery` says what to count, which happens only
 * when the client selects `totalCount`, in its own resolver: a count past the time limit then
 * fails that field alone (QUERY_TIMEOUT) and the page keeps its edges.
 */
export interface CycleConnection extends Omit<Connection<CycleRow>, 'totalCount'> {
  totalCount: number | null;
  countQuery?: CycleQuery;
}

export const DealCycleConnection: DealCycleConnectionResolvers = {
  totalCount(connection, _, { stores }) {
    if (connection.totalCount !== null) return connection.totalCount;
    const query = connection.countQuery;
    // Time-respecting cycles need their deals and are never counted in Neo4j (the cycle
    // resolvers list them and know the total).
    if (!query || query.timeRespecting)
      throw new Error('a cycle page without a total must say what to count');
    return stores.cycles.countCycles(query);
  },
};
