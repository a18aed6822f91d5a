/**
 * Relationship graphs for drawing: the companies within a few deal hops of some starting
 * companies, and the deals between them as edges. All Cypher about relationship graphs lives here.
 */
import { ErrorCode, UserError } from '../errors.js';
import { builtStatement, type Database, type Statement } from '../neo4j/database.js';
import { MAX_GRAPH_CYCLE_LENGTH, NO_FLOW_FILTER, type CycleStore } from './cycleStore.js';
import { ALL_TOTALS_FIGURES, COMPANY_ROW, totalsOf, type TotalsFigure } from './companyStore.js';
import { DEAL_FILTER, filterParams, type DealFilterParams } from './dealStore.js';
import type { CompanyRow, CompanyTotalsRow, GraphEdgeRow, GraphNodeRow } from './rows.js';

/**
 * The caps of one graph. Depth is capped because the number of companies reached grows about
 * geometrically with it (three hops from a hub reach most of the industry); the result caps keep
 * a response drawable and its memory bounded.
 */
export const GRAPH_LIMITS = {
  companyIds: 50,
  depth: 3,
  nodes: 500,
  edges: 2000,
} as const;

/** Time limit of one graph query; it runs once, never retried (Database.readOnce). */
export const GRAPH_TIMEOUT_MS = 10_000;

export interface GraphRequest {
  companyIds: readonly string[];
  depth: number;
  filter: DealFilterParams;
  /** One edge per (source, target, kind) instead of one per deal. */
  aggregate: boolean;
  /** The totals figures to read with each node (none: the nodes' totals are not selected). */
  totals?: readonly TotalsFigure[];
}

export interface RelationshipGraphRows {
  nodes: GraphNodeRow[];
  edges: GraphEdgeRow[];
  /**
   * The graph's status filter, which its cycle search applies too: without one, cancelled deals
   * close no cycle (as in circularDeals), even though they are drawn as edges.
   */
  statuses?: readonly string[] | null;
}

/**
 * Edge grouping, from a closed list: one edge per deal, or per (source, target, kind). Both give
 * `id, source, target, kind, deals` with `deals` ordered by id.
 */
const EDGE_GROUPING = {
  perDeal: `
    WITH d.id AS id, a.id AS source, b.id AS target, kind, [d] AS deals`,
  aggregated: `
    WITH a.id AS source, b.id AS target, kind, d ORDER BY d.id
    WITH source, target, kind, collect(d) AS deals
    WITH source + '->' + target + ':' + kind AS id, source, target, kind, deals`,
} as const;

/** From each `start`, every company `c` within `depth` hops, with its smallest `depth`. */
function reach(depth: number): string {
  // A quantifier may not be {0,0}: depth 0 is the starting companies alone.
  if (depth === 0) return 'WITH start AS c, 0 AS depth';
  return `
      MATCH ANY SHORTEST (start)(()<-[:FROM|TO]-(d:Deal)-[:FROM|TO]->() WHERE ${DEAL_FILTER}
      ){0,${depth}}(c:Company)
      WITH c, min(size(d)) AS depth`;
}

/**
 * One statement per depth and grouping (quantifier bounds must be literals in Cypher).
 *
 * 1. The starting companies, and the requested ids that match none (reported as NOT_FOUND).
 * 2. `ANY SHORTEST` over a quantified path pattern whose every hop is
 *    `(company)<-[:FROM|TO]-(deal passing the filter)-[:FROM|TO]->(company)`: Neo4j runs it as
 *    a breadth-first search from each start (StatefulShortestPath), visiting every company once
 *    instead of enumerating every path, and the hop count of that one path is the depth. A
 *    company's depth is its smallest over all starts.
 * 3. Edges: every deal passing the filter between two reached companies, found from the paying
 *    side only, so that each deal is seen once.
 * Both lists stop one past their cap, and no edge is looked for once the nodes are past theirs:
 * an oversized graph is refused without being shipped or assembled.
 */
function graphStatement(
  depth: number,
  grouping: keyof typeof EDGE_GROUPING,
  totals: readonly TotalsFigure[],
): Statement {
  // The node totals are read in the same query when selected (only the figures selected).
  const figures = ALL_TOTALS_FIGURES.filter((figure) => totals.includes(figure));
  const nodeTotals = figures.length ? `, totals: ${totalsOf('c', figures)}` : '';
  return builtStatement(
    `relationshipGraph:depth${depth}:${grouping}${figures.length ? `:totals:${figures.join(',')}` : ''}`,
    () => `
    MATCH (start:Company) WHERE start.id IN $companyIds
    WITH collect(start) AS starts
    WITH starts, [id IN $companyIds WHERE none(s IN starts WHERE s.id = id)] AS missing
    CALL (starts, missing) {
      UNWIND CASE WHEN size(missing) = 0 THEN starts ELSE [] END AS start
      ${reach(depth)}
      ORDER BY depth, c.id
      LIMIT toInteger($maxNodes) + 1
      RETURN collect({c: c, depth: depth}) AS reached
    }
    CALL (reached) {
      WITH reached WHERE size(reached) <= $maxNodes
      WITH [r IN reached | r.c] AS members
      UNWIND members AS a
      MATCH (a)<-[:FROM]-(d:Deal)-[:TO]->(b:Company)
      WHERE b IN members AND ${DEAL_FILTER}
      WITH a, b, d, CASE d.type WHEN 'INVESTMENT' THEN 'INVESTMENT' ELSE coalesce(d.kind, 'CLOUD') END AS kind
      ${EDGE_GROUPING[grouping]}
      ORDER BY id
      LIMIT toInteger($maxEdges) + 1
      RETURN collect({
        id: id, source: source, target: target, kind: kind, type: deals[0].type,
        amountUsd: CASE WHEN any(x IN deals WHERE x.amountUsd IS NOT NULL)
                   THEN reduce(sum = 0.0, x IN deals | sum + coalesce(x.amountUsd, 0)) END,
        amountIsUpperBound: any(x IN deals WHERE x.amountUsd IS NOT NULL AND x.amountIsUpperBound),
        unknownAmountCount: size([x IN deals WHERE x.amountUsd IS NULL]),
        dealCount: size(deals),
        dealIds: [x IN deals | x.id]
      }) AS edges
    }
    CALL (reached) {
      UNWIND reached AS r
      WITH r.c AS c, r.depth AS depth
      RETURN collect({company: ${COMPANY_ROW}, depth: depth, rootId: c.rootId${nodeTotals}}) AS nodes
    }
    RETURN missing, nodes, edges`,
  );
}

function tooLarge(limit: 'nodes' | 'edges', what: string, advice: string): UserError {
  return new UserError(
    ErrorCode.RESULT_LIMIT_EXCEEDED,
    `The graph has more than ${GRAPH_LIMITS[limit]} ${what}; ${advice}.`,
    { limit, max: GRAPH_LIMITS[limit] },
  );
}

/** Refuses arguments past a cap before anything reaches Neo4j. */
function checkRequest(companyIds: readonly string[], depth: number): void {
  if (companyIds.length === 0) {
    throw new UserError(ErrorCode.BAD_USER_INPUT, 'companyIds: give at least one company id.', {
      limit: 'companyIds',
    });
  }
  if (companyIds.length > GRAPH_LIMITS.companyIds) {
    throw new UserError(
      ErrorCode.BAD_USER_INPUT,
      `companyIds: at most ${GRAPH_LIMITS.companyIds} companies per graph.`,
      { limit: 'companyIds', max: GRAPH_LIMITS.companyIds },
    );
  }
  if (!Number.isInteger(depth) || depth < 0 || depth > GRAPH_LIMITS.depth) {
    throw new UserError(
      ErrorCode.BAD_USER_INPUT,
      `depth: from 0 to ${GRAPH_LIMITS.depth} deal hops.`,
      { limit: 'depth', max: GRAPH_LIMITS.depth },
    );
  }
}

/** A cycle among a graph's companies, as the graph's edges that carry its money. */
export interface GraphCycleRow {
  id: string;
  companyIds: string[];
  edgeIds: string[];
}

export class GraphStore {
  constructor(
    private readonly db: Database,
    private readonly cycleStore: CycleStore,
    private readonly timeoutMs = GRAPH_TIMEOUT_MS,
  ) {}

  /**
   * The cycles among a graph's companies (rolled up to their top-level parents, as in
   * `circularDeals`) that the graph's own edges carry: the cycle search runs on the flow graph
   * restricted to the graph's top-level companies, then each step keeps only the deals that are
   * edges of this graph (between two of its companies, passing its filter). A cycle with a step
   * left bare is not drawn; the mix condition is checked on the deals kept. Edge ids come in
   * step order, each step's sorted.
   */
  async cycles(
    graph: RelationshipGraphRows,
    maxLength: number,
    mix: 'INVESTMENT_AND_COMMITMENT' | 'ANY',
  ): Promise<GraphCycleRow[]> {
    if (!Number.isInteger(maxLength) || maxLength < 2 || maxLength > MAX_GRAPH_CYCLE_LENGTH) {
      throw new UserError(
        ErrorCode.BAD_USER_INPUT,
        `maxLength: from 2 to ${MAX_GRAPH_CYCLE_LENGTH} companies.`,
        { limit: 'maxLength', max: MAX_GRAPH_CYCLE_LENGTH },
      );
    }
    const edgeOfDeal = new Map<string, GraphEdgeRow>();
    for (const edge of graph.edges) for (const id of edge.dealIds) edgeOfDeal.set(id, edge);
    const among = [...new Set(graph.nodes.map((n) => n.rootId))];
    const walks = await this.cycleStore.findCycles({
      through: [],
      among,
      minLength: 2,
      maxLength,
      filter: { ...NO_FLOW_FILTER, statuses: graph.statuses?.length ? [...graph.statuses] : null },
    });
    const cycles: GraphCycleRow[] = [];
    for (const walk of walks) {
      const steps = walk.steps.map((step) => [
        ...new Set(step.deals.flatMap((d) => edgeOfDeal.get(d.id) ?? [])),
      ]);
      if (steps.some((edges) => edges.length === 0)) continue;
      const types = new Set(steps.flat().map((e) => e.type));
      if (mix !== 'ANY' && !(types.has('INVESTMENT') && types.has('COMMITMENT'))) continue;
      cycles.push({
        // The search starts each cycle at its smallest company, as circularDeals ids do.
        id: walk.companyIds.join('>'),
        companyIds: walk.companyIds,
        edgeIds: steps.flatMap((edges) => edges.map((e) => e.id).sort()),
      });
    }
    return cycles.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async relationshipGraph(request: GraphRequest): Promise<RelationshipGraphRows> {
    const companyIds = [...new Set(request.companyIds)];
    checkRequest(companyIds, request.depth);
    const [row] = await this.db.readOnce<{
      missing: string[];
      nodes: { company: CompanyRow; depth: number; rootId: string; totals?: CompanyTotalsRow }[];
      edges: GraphEdgeRow[];
    }>(
      graphStatement(
        request.depth,
        request.aggregate ? 'aggregated' : 'perDeal',
        request.totals ?? [],
      ),
      {
        ...filterParams(request.filter),
        companyIds,
        maxNodes: GRAPH_LIMITS.nodes,
        maxEdges: GRAPH_LIMITS.edges,
      },
      this.timeoutMs,
    );
    if (!row) throw new Error('relationshipGraph returned no row');
    if (row.missing.length) {
      throw new UserError(
        ErrorCode.NOT_FOUND,
        `No company with id ${row.missing.map((id) => `'${id}'`).join(', ')}.`,
        { ids: row.missing },
      );
    }
    const narrower = 'lower depth, pass fewer companyIds or a stricter where';
    if (row.nodes.length > GRAPH_LIMITS.nodes) throw tooLarge('nodes', 'companies', narrower);
    if (row.edges.length > GRAPH_LIMITS.edges) {
      throw tooLarge('edges', 'edges', request.aggregate ? narrower : `${narrower}, or aggregate`);
    }
    return {
      nodes: row.nodes.map(({ company, depth, rootId, totals }) => ({
        ...company,
        depth,
        rootId,
        ...(totals ? { totals } : {}),
      })),
      edges: row.edges,
      statuses: request.filter.statuses ?? null,
    };
  }
}
