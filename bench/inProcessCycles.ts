/**
 * The in-process baseline of `npm run bench:cycles`: the same cycles as the server's
 * whole-graph query with no deal filter (default mix: an investment and a commitment among the
 * backing deals), enumerated in plain TypeScript over adjacency arrays built from the dataset.
 * Same algorithm family as the Cypher query: roll up to top-level parents, anchor each cycle at
 * its smallest company, depth-first simple paths through larger ids only.
 */
import type { Dataset } from './syntheticIndustry.js';

interface Edge {
  to: number;
  investment: boolean;
  commitment: boolean;
}

export interface FlowGraph {
  ids: string[];
  out: Edge[][];
}

export function buildFlowGraph(data: Dataset): FlowGraph {
  const parent = new Map<string, string | undefined>(
    data.companies.map((c) => [c.id as string, c.parentId as string | undefined]),
  );
  const rootOf = (id: string): string => {
    let at = id;
    while (parent.get(at)) at = parent.get(at) as string;
    return at;
  };
  const ids = [...new Set(data.companies.map((c) => rootOf(c.id as string)))].sort();
  const index = new Map(ids.map((id, i) => [id, i]));
  const edges = new Map<string, Edge & { from: number }>();
  const add = (from: string, to: string, investment: boolean): void => {
    const a = index.get(rootOf(from)) as number;
    const b = index.get(rootOf(to)) as number;
    if (a === b) return;
    const key = `${a}>${b}`;
    const edge = edges.get(key) ?? { from: a, to: b, investment: false, commitment: false };
    if (investment) edge.investment = true;
    else edge.commitment = true;
    edges.set(key, edge);
  };
  for (const d of data.investments) add(d.investorId as string, d.investeeId as string, true);
  for (const d of data.commitments) add(d.customerId as string, d.providerId as string, false);
  const out: Edge[][] = ids.map(() => []);
  for (const e of edges.values())
    out[e.from]!.push({ to: e.to, investment: e.investment, commitment: e.commitment });
  return { ids, out };
}

/**
 * Visits the cycles of 2..maxLength companies whose backing deals include both deal types; the
 * path passed to `visit` is reused (copy it to keep it).
 */
function eachCycle(graph: FlowGraph, maxLength: number, visit: (path: number[]) => void): void {
  const path: number[] = [];
  const onPath = new Uint8Array(graph.ids.length);
  const walk = (start: number, at: number, depth: number, inv: boolean, com: boolean): void => {
    for (const e of graph.out[at]!) {
      if (e.to === start) {
        if (depth >= 2 && (inv || e.investment) && (com || e.commitment)) visit(path);
        continue;
      }
      if (e.to < start || onPath[e.to] || depth === maxLength) continue;
      onPath[e.to] = 1;
      path.push(e.to);
      walk(start, e.to, depth + 1, inv || e.investment, com || e.commitment);
      path.pop();
      onPath[e.to] = 0;
    }
  };
  for (let s = 0; s < graph.ids.length; s++) {
    onPath[s] = 1;
    path.push(s);
    walk(s, s, 1, false, false);
    path.pop();
    onPath[s] = 0;
  }
}

/** The cycles, as id lists. */
export function enumerateCycles(graph: FlowGraph, maxLength: number): string[][] {
  const cycles: string[][] = [];
  eachCycle(graph, maxLength, (path) => cycles.push(path.map((i) => graph.ids[i] as string)));
  return cycles;
}

/** How many cycles there are, without keeping them. */
export function countCycles(graph: FlowGraph, maxLength: number): number {
  let count = 0;
  eachCycle(graph, maxLength, () => {
    count += 1;
  });
  return count;
}
