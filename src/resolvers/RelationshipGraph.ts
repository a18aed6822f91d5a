import type {
  GraphNodeResolvers,
  QueryResolvers,
  RelationshipGraphResolvers,
} from '../generated/graphql.js';
import { dealFilter } from './args.js';
import { graphNodeTotals } from './selection.js';

/** `Query.relationshipGraph`: the arguments checked and handed to the graph store. */
export const GraphQuery: Pick<QueryResolvers, 'relationshipGraph'> = {
  relationshipGraph: (_, { companyIds, depth, where, aggregate }, { stores }, info) =>
    stores.graph.relationshipGraph({
      companyIds,
      depth,
      filter: dealFilter(where),
      aggregate,
      totals: graphNodeTotals(info),
    }),
};

export const GraphNode: GraphNodeResolvers = {
  // A node row is a company row with its depth.
  company: (node) => node,
  // Read with the graph when selected there (the figures selected only).
  totals: (node, _, { loaders }) => node.totals ?? loaders.totals.load(node.id),
};

export const RelationshipGraph: RelationshipGraphResolvers = {
  cycles: (graph, { maxLength, mix }, { stores }) => stores.graph.cycles(graph, maxLength, mix),
};
