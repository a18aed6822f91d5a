/**
 * Counting cycles in Neo4j without listing them (`circularDeals { totalCount }`): the same
 * cycles as the listing of src/stores/cycleStore.ts, over the same flow graph and deal filter,
 * but nothing is returned per cycle and, up to length 5, nothing is even produced per cycle.
 *
 * How a count stays cheap and small:
 * - Products of half counts. A cycle of k companies from start `s` is a forward half
 *   s -> ... -> m of ceil(k/2) steps and a backward half m -> ... -> s, meeting at `m`. Per start
 *   both halves are expanded from `s` (the backward one against the arrows) and counted per `m`
 *   (aggregations: one row per middle company, not one per half path); grouped by `m` together,
 *   the two counts meet in a hash join, and the count is the sum of their products. A pair of
 *   halves that share a company in between is a walk, not a cycle; those pairs are few and have
 *   a fixed shape per length (the way back passes a company of the forward half), so each shape
 *   is counted on its own and subtracted (fourCorrections, fiveCorrections). The work grows with the half paths, not with the cycles: 91M
 *   cycles of length <= 5 on 10k companies / 100k deals are never produced one by one.
 * - Memory: per start, one row per middle company and the half paths being expanded, freed
 *   before the next start (the count is a running sum). No list of paths is built.
 * - Longer cycles (6 to 8) and cycles through several given companies are counted over the
 *   meet-in-the-middle join of cycleStore (`count(*)` of its rows, nothing collected): work and
 *   time grow with the cycles, memory does not. Length 6 as products would need six correction
 *   shapes of 6 steps, whose statements took the planner minutes on this 2-core machine.
 * - Both cores: whole-graph counts split their start companies into `parts` (by internal id
 *   modulo `parts`, which interleaves the expensive small-id starts), each counted in its own
 *   read transaction on its own session, concurrently (Neo4j Community plans every query on one
 *   thread; `CALL { } IN CONCURRENT TRANSACTIONS` needs an auto-commit transaction and cannot be
 *   bounded as one read). Each part takes a heavy-query slot of the database layer.
 * - The default mix (an investment and a commitment among the backing deals) is all cycles less
 *   those whose steps all have only investments passing, less those with only commitments
 *   passing (a step always has a passing deal, so a cycle cannot lack both).
 */
import {
  builtStatement,
  runIn,
  type Database,
  type QueryRunner,
  type Statement,
} from '../neo4j/database.js';
import { passingOfType, stepPasses, walksOfLength } from './cycleStore.js';

/**
 * What a count walks: cycles of the whole graph, among given companies, through one company
 * ($start), or through several ($start and every company of $through).
 */
export type CountKind = 'all' | 'among' | 'through' | 'throughSeveral';

/**
 * Which flows a step may use: any with a passing deal, or (for the mix) only flows whose passing
 * deals are all investments / all commitments.
 */
const STEPS = {
  // Wrapped: cycleStore.ts imports this module, so its exports are read when called, not here.
  any: (r: string) => stepPasses(r),
  investmentsOnly: (r: string) => `${stepPasses(r)} AND NOT (${passingOfType(r, 'COMMITMENT')})`,
  commitmentsOnly: (r: string) => `${stepPasses(r)} AND NOT (${passingOfType(r, 'INVESTMENT')})`,
} as const;
type Steps = keyof typeof STEPS;

/** Longest cycle counted as products of half counts; longer ones over the join. */
export const MAX_PRODUCT_LENGTH = 5;

/**
 * A pattern over named companies, e.g. ['s', 'a', 'b', 'm', 'a', 's']: one FLOWS_TO step between
 * consecutive names, each step's flow passing `step`, each company in between passing `node` the
 * first time it is named. Relationship variables get the prefix `p`, so that patterns of one
 * statement never share one.
 */
function chain(
  names: string[],
  p: string,
  step: (r: string) => string,
  node: (v: string) => string,
  bound: ReadonlySet<string>,
): string {
  const first = names[0] as string;
  const seen = new Set(bound);
  let pattern = seen.has(first) ? `(${first})` : `(${first} WHERE ${node(first)})`;
  seen.add(first);
  names.slice(1).forEach((v, i) => {
    const r = `${p}${i + 1}`;
    pattern += `-[${r}:FLOWS_TO WHERE ${step(r)}]->`;
    pattern += seen.has(v) ? `(${v})` : `(${v} WHERE ${node(v)})`;
    seen.add(v);
  });
  return pattern;
}

/**
 * The pairs of halves to subtract for cycles of 4 companies (s a m | c): those where the way back
 * passes a again, c = a, i.e. the walks s -> a -> m -> a -> s (a plain pattern: a and m are in a
 * 2-cycle, which only the rows from s's own 2-cycles reach).
 */
function fourCorrections(
  step: (r: string) => string,
  node: (v: string) => string,
): { blocks: string; adjust: string } {
  return {
    blocks: `
    CALL (s) {
      MATCH ${chain(['s', 'a', 'm', 'a', 's'], 'x', step, node, new Set(['s']))}
      RETURN count(*) AS fix0
    }`,
    adjust: ' - fix0',
  };
}

/**
 * The corrections of length 5 (s a b m | c), counted without closing a triangle by Expand(Into)
 * per row (PROFILE, 1k / 10k: the plain pattern of `c = a` cost 17M db hits there, its
 * triangles through hubs checked one relationship lookup at a time):
 * - c = a: for each a with s -> a -> s, the triangles a -> b -> m -> a, as a hash join at m of
 *   the 2-step walks from a and the companies flowing into a (the same union as the halves).
 * - c = b: for each b with b -> s, (the walks s -> a -> b) times (the 2-cycles b -> m -> b),
 *   joined at b; less the pairs where m is a (the walk needs a <> m): s -> a -> b -> a, b -> s.
 */
function fiveCorrections(
  step: (r: string) => string,
  node: (v: string) => string,
): { blocks: string; adjust: string } {
  const s = new Set(['s']);
  const sa = new Set(['s', 'a']);
  const sb = new Set(['s', 'b']);
  const walk = (names: string[], p: string, bound: ReadonlySet<string>): string =>
    chain(names, p, step, node, bound);
  return {
    blocks: `
    CALL (s) {
      MATCH ${walk(['s', 'a', 's'], 'x', s)}
      CALL (s, a) {
        MATCH ${walk(['a', 'b', 'm'], 'xf', sa)}
        RETURN m, count(*) AS forward, 0 AS backward
        UNION ALL
        MATCH ${walk(['m', 'a'], 'xb', sa)}
        RETURN m, 0 AS forward, count(*) AS backward
      }
      WITH a, m, sum(forward) AS forward, sum(backward) AS backward
      RETURN sum(forward * backward) AS fix0
    }
    CALL (s) {
      CALL (s) {
        MATCH ${walk(['s', 'a', 'b'], 'yf', s)}
        RETURN b, count(*) AS forward, 0 AS loops
        UNION ALL
        MATCH ${walk(['b', 's'], 'yb', s)}
        MATCH ${walk(['b', 'm', 'b'], 'yl', sb)}
        RETURN b, 0 AS forward, count(*) AS loops
      }
      WITH b, sum(forward) AS forward, sum(loops) AS loops
      RETURN sum(forward * loops) AS fix1
    }
    CALL (s) {
      MATCH ${walk(['s', 'a', 'b', 'a'], 'z', s)}, ${walk(['b', 's'], 'zs', s)}
      RETURN count(*) AS fix2
    }`,
    adjust: ' - fix0 - fix1 + fix2',
  };
}

/**
 * The count of cycles of exactly `k` (2..5) companies from start `s`, as products of half counts
 * less the corrections; `node` is the condition on companies in between (anchoring, `among`).
 */
function productCount(k: number, steps: Steps, node: (v: string) => string): string {
  const step = STEPS[steps];
  const s = new Set(['s']);
  const forward = [
    ['s', 'm'],
    ['s', 'a', 'm'],
    ['s', 'a', 'm'],
    ['s', 'a', 'b', 'm'],
  ][k - 2];
  const backward = k <= 3 ? ['m', 's'] : ['m', 'c', 's'];
  // Up to 3 companies nobody is in between on the way back: nothing to correct.
  const { blocks: fixes, adjust: fixSum } =
    k === 5
      ? fiveCorrections(step, node)
      : k === 4
        ? fourCorrections(step, node)
        : { blocks: '', adjust: '' };
  // Both halves are expanded from `s` (the backward one against the arrows) and counted per
  // middle company; the union grouped by `m` is a hash join of the two counts, so neither half
  // is expanded once per middle company. PROFILE, 1k / 10k, length 5: expanding the backward
  // half from each middle company instead cost 31.7M db hits (most companies are the middle of
  // some forward half); from `s`, in(s) * in(c).
  return `
    CALL (s) {
      CALL (s) {
        MATCH ${chain(forward as string[], 'f', step, node, s)}${k === 5 ? '\n        WHERE a <> m' : ''}
        RETURN m, count(*) AS forward, 0 AS backward
        UNION ALL
        MATCH ${chain(backward, 'b', step, node, s)}
        RETURN m, 0 AS forward, count(*) AS backward
      }
      WITH m, sum(forward) AS forward, sum(backward) AS backward
      RETURN sum(forward * backward) AS pairs
    }${fixes}
    WITH s, pairs${fixSum} AS cycles`;
}

/**
 * The count of cycles of exactly `k` companies from `s` over the meet-in-the-middle join (as
 * cycleStore's listing finds them), for lengths past MAX_PRODUCT_LENGTH and for cycles through
 * several companies: the first ceil(k/2) steps forward from `s`, the rest backward from `s`,
 * joined on the middle company; every row is a cycle, counted and dropped.
 */
function joinCount(
  k: number,
  steps: Steps,
  node: (v: string) => string,
  extra: ((between: string) => string) | null,
): string {
  const scope = extra ? ', scope' : '';
  const search = walksOfLength(
    k,
    { src: 's', dst: 's' },
    node,
    extra,
    steps === 'any' ? 'count' : steps,
  );
  return `
    CALL (s${scope}) {
      CALL (s${scope}) {${search}
      }
      RETURN count(rest) AS cycles
    }`;
}

/**
 * The statement counting the cycles of exactly `length` companies of one kind, using `steps`.
 *
 * - all: each cycle once, from its smallest company id (companies in between have larger ids);
 *   only start companies with both an incoming and an outgoing flow, and of those only the ones
 *   of part $part of $parts (internal id modulo $parts).
 * - among: the same, only cycles made of companies in $among.
 * - through: cycles through $start (companies in between differ from it).
 * - throughSeveral: and through each company of $through too (counted over the join, whose rows
 *   have the companies in between).
 */
export function countStatement(kind: CountKind, length: number, steps: Steps): Statement {
  if (!Number.isInteger(length) || length < 2 || length > 8)
    throw new Error(`cycle length ${length} outside 2..8`); // checked by callers
  return builtStatement(
    `cycleCounts:${kind}:${steps}:${length}`,
    () => {
      const anchored =
        kind === 'among'
          ? (v: string): string => `${v}.id > s.id AND ${v}.id IN $among`
          : (v: string): string => `${v}.id > s.id`;
      if (kind === 'through' || kind === 'throughSeveral') {
        const node = (v: string): string => `${v} <> s`;
        const search =
          kind === 'through' && length <= MAX_PRODUCT_LENGTH
            ? productCount(length, steps, node)
            : joinCount(length, steps, node, (between) => `all(t IN scope WHERE t IN ${between})`);
        return `
    OPTIONAL MATCH (t:Company) WHERE t.id IN $through
    WITH collect(t) AS scope
    MATCH (s:Company {id: $start})${search}
    RETURN sum(cycles) AS cycles`;
      }
      return `
    MATCH (s:Company)
    WHERE s.rootId = s.id${kind === 'among' ? ' AND s.id IN $among' : ''}
      AND id(s) % $parts = $part
      AND EXISTS { (s)-[:FLOWS_TO]->() } AND EXISTS { ()-[:FLOWS_TO]->(s) }${
        length <= MAX_PRODUCT_LENGTH
          ? productCount(length, steps, anchored)
          : joinCount(length, steps, anchored, null)
      }
    RETURN sum(cycles) AS cycles`;
    },
    { oneMap: true },
  );
}

/** Every count statement, for `plan()` (lengths 2..maxLength). */
export function countStatements(maxLength = 8): Statement[] {
  const statements: Statement[] = [];
  for (const kind of ['all', 'among', 'through', 'throughSeveral'] as const)
    for (const steps of Object.keys(STEPS) as Steps[])
      for (let k = 2; k <= maxLength; k++) statements.push(countStatement(kind, k, steps));
  return statements;
}

/** What to count: the search's kind and parameters (filter, $start, $through, $among). */
export interface CountRequest {
  kind: CountKind;
  params: Record<string, unknown>;
  minLength: number;
  maxLength: number;
  mix: 'INVESTMENT_AND_COMMITMENT' | 'ANY';
}

export interface CountOptions {
  /** Time limit of each part's transaction. */
  timeoutMs: number;
  /** Concurrent parts of a whole-graph count (each its own transaction and heavy-query slot). */
  parts: number;
}

/**
 * How many cycles a search would report, counted in Neo4j. Whole-graph and `among` counts run
 * in `options.parts` concurrent transactions, each over its share of the start companies and
 * counting every length (and, for the default mix, the two one-type counts) in one snapshot of
 * its own; a count through a company has one start and runs as one.
 */
export async function countCycles(
  db: Database,
  request: CountRequest,
  options: CountOptions,
): Promise<number> {
  const parts =
    request.kind === 'all' || request.kind === 'among' ? Math.max(1, Math.floor(options.parts)) : 1;
  const counted = await Promise.all(
    Array.from({ length: parts }, (_, part) =>
      db.readOnceTx(
        (tx) => countPart(tx, request, { ...request.params, part, parts }),
        options.timeoutMs,
        `cycleCounts:${request.kind}`,
      ),
    ),
  );
  return counted.reduce((a, b) => a + b, 0);
}

async function countPart(
  tx: QueryRunner,
  request: CountRequest,
  params: Record<string, unknown>,
): Promise<number> {
  const count = async (steps: Steps): Promise<number> => {
    let total = 0;
    for (let k = Math.max(2, request.minLength); k <= request.maxLength; k++) {
      const [row] = await runIn<{ cycles: number }>(
        tx,
        countStatement(request.kind, k, steps),
        params,
      );
      total += row?.cycles ?? 0;
    }
    return total;
  };
  const all = await count('any');
  if (request.mix === 'ANY' || all === 0) return all;
  return all - (await count('investmentsOnly')) - (await count('commitmentsOnly'));
}
