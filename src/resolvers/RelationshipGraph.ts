import type {
  GraphNodeResolvers,
  QueryResolvers,
  RelationshipGraphResolvers,
} from '../generated/graphql.js';
import type { RelationshipGraphRows } from '../stores/graphStore.js';
import type { GraphEdgeRow } from '../stores/rows.js';
import { dealFilter, dealFilterAsOf } from './args.js';
import { argumentHash, dependencySuffix, suffixOf, tagRows } from './identity.js';
import { graphNodeTotals } from './selection.js';

/**
 * An edge's id as the schema describes it (GraphEdge.id): the store gives one edge per deal the
 * deal's id, and an aggregated edge `<source>-><target>:<KIND>`.
 */
function edgeId(edge: GraphEdgeRow, aggregate: boolean, whereSuffix: string): string {
  return aggregate ? `${edge.id}${whereSuffix}` : `${edge.source}->${edge.target}:${edge.id}`;
}

/** `Query.relationshipGraph`: the arguments checked and handed to the graph store. */
export const GraphQuery: Pick<QueryResolvers, 'relationshipGraph'> = {
  async relationshipGraph(
    _,
    { companyIds, depth, where: given, aggregate, asOf },
    { stores },
    info,
  ) {
    // As of a date is the same graph as `announcedTo` that date: one filter, one hash.
    const where = dealFilterAsOf(given, asOf);
    const rows = await stores.graph.relationshipGraph({
      companyIds,
      depth,
      filter: dealFilter(where),
      aggregate,
      totals: graphNodeTotals(info),
    });
    // Nodes (their depth) and cycles (their edgeIds) depend on all the arguments; aggregated
    // edges (their sums) on `where` only; an edge per deal on nothing but the deal.
    const graphSuffix = `@${argumentHash({ companyIds: [...new Set(companyIds)], depth, where, aggregate })}`;
    const whereSuffix = dependencySuffix(where ?? {}, {});
    const graph: RelationshipGraphRows = {
      nodes: rows.nodes,
      // Ordered by id (the schema says so), the ids being these.
      edges: rows.edges
        .map((edge) => ({ ...edge, id: edgeId(edge, aggregate, whereSuffix) }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      statuses: rows.statuses,
    };
    tagRows([graph, ...graph.nodes], graphSuffix);
    return graph;
  },
};

export const GraphNode: GraphNodeResolvers = {
  id: (node) => node.id + suffixOf(node),
  companyId: (node) => node.id,
  // A node row is a company row with its depth.
  company: (node) => node,
  // Read with the graph when selected there (the figures selected only).
  totals: (node, _, { loaders }) => node.totals ?? loaders.totals.load(node.id),
};

export const RelationshipGraph: RelationshipGraphResolvers = {
  async cycles(graph, { maxLength, mix }, { stores }) {
    const cycles = await stores.graph.cycles(graph, maxLength, mix);
    return cycles.map((cycle) => ({
      ...cycle,
      id: `graph:${cycle.id}${suffixOf(graph)}`,
      key: cycle.id,
    }));
  },
};
