/**
 * Finding circular deals and money paths: Cypher path queries over the derived flow graph
 * (flowStore.ts: FLOWS_TO between top-level parents, one relationship per ordered pair, the
 * pair's deals as parallel lists). The found walks are then evaluated in src/domain/flows.ts.
 *
 * How the queries stay fast:
 * - They walk FLOWS_TO, not deals: one relationship per company pair however many deals back it,
 *   and no subsidiary roll-up at query time.
 * - Meet in the middle: the walks of each length are a hash join of two halves at the middle
 *   company (walksOfLength), so no walk is expanded further than half way unless it closes.
 * - Deal filters are inline predicates on every relationship of the pattern, evaluated on the
 *   relationship's lists while expanding, so a step with no passing deal is never expanded.
 * - Whole-graph search anchors each cycle at its smallest company id: the walk starts at `s` and
 *   only enters companies with a larger id, so every cycle is produced once (from its smallest
 *   member) and rotations never are. Start companies without both an incoming and an outgoing
 *   flow cannot be on a cycle and are skipped.
 * - Walks are simple (distinct companies) by explicit conditions; the start appears twice only
 *   as the two ends of a cycle.
 * - Hop counts must be literals, so there is one statement per search kind and exact length,
 *   built from closed lists and cached: a bounded, known set (`allStatements`, about 60), which
 *   `plan()` has Neo4j plan at start-up so that no request waits seconds for the planner. A
 *   search of lengths 2..k runs the statements of lengths 2, ..., k in turn, in one transaction;
 *   each is a fraction of the size of one statement holding every length, so the set costs a
 *   fifth of the planning.
 * - The search returns each walk as relationship ids; the deals behind its steps are read in a
 *   second query, once per flow however many walks share it, in the same transaction.
 * - The deal mix (an investment and a commitment) and the time condition are checked on the
 *   evaluated steps, in flows.ts, from summaries built once per flow.
 * - Every query runs once (no retry on memory errors), under a timeout, with LIMIT cap + 1 so an
 *   oversized answer is detected without being materialised.
 */
import { ErrorCode, UserError } from '../errors.js';
import {
  builtStatement,
  oneMapStatement,
  runIn,
  type Database,
  type QueryRunner,
  type Statement,
} from '../neo4j/database.js';
import {
  hasInvestmentAndCommitment,
  sortCycles,
  sortPaths,
  step,
  toCycle,
  toPath,
  type CYCLE_ORDER,
  type CycleRow,
  type FlowDeal,
  type FlowStepRow,
  type PATH_ORDER,
  type PathRow,
} from '../domain/flows.js';
import type { DealType } from './rows.js';
import type { SortKey } from './pagination.js';
import {
  compareCursors,
  cursorOf,
  lengthLevels,
  prefixTail,
  rankCursor,
  startOrder,
  thresholdLevels,
  thresholdsNeedValues,
  tightened,
  tightensSteps,
  type Level,
  type RankCursor,
} from './cycleRanking.js';
import { countCycles, countStatements } from './cycleCounts.js';

/** Hard cap on cycle length and path length (companies in a cycle, steps in a path). */
export const MAX_FLOW_LENGTH = 8;

/** Hard cap on the length of the cycles highlighted in a relationship graph. */
export const MAX_GRAPH_CYCLE_LENGTH = 6;
/** The `maxLength` of a cycle or path search that names none (schema: CycleFilter.maxLength). */
export const DEFAULT_MAX_LENGTH = 4;

export interface FlowFilter {
  types: DealType[] | null;
  kinds: string[] | null;
  /** null: every status but CANCELLED (a cancelled deal counts only when asked for). */
  statuses: string[] | null;
  /**
   * Date keys (YYYY-MM-DD), inclusive. A deal passes when every day it may be lies in the
   * window: a deal dated to the month passes `to` only when `toMonth` (the latest month wholly
   * on or before `to`) is not before its month.
   */
  from: string | null;
  to: string | null;
  toMonth: string | null;
  minAmount: number | null;
  includeUnknown: boolean;
  /** Time-respecting search: a step needs at least one dated passing deal. */
  needDated: boolean;
}

/** No deal filter: every deal but the cancelled ones passes, amounts known or not. */
export const NO_FLOW_FILTER: FlowFilter = {
  types: null,
  kinds: null,
  statuses: null,
  from: null,
  to: null,
  toMonth: null,
  minAmount: null,
  includeUnknown: true,
  needDated: false,
};

/** A deal filter that no deal passes: what `plan()` runs the statements with. */
const NOTHING_PASSES = {
  ...NO_FLOW_FILTER,
  unfiltered: false,
  minAmount: Number.MAX_VALUE,
  includeUnknown: false,
};

/** The exact length in a statement's name (`cycles:all:walks:5` -> 5), 0 for the others. */
const statementLength = (name: string): number => Number(/:(\d+)$/.exec(name)?.[1] ?? 0);

/** A walk as Neo4j found it: companies in order and, per step, the deals that pass. */
export interface FoundWalk {
  companyIds: string[];
  steps: FlowStepRow[];
}

/** Deal `i` of flow relationship `r` passes the filter. */
const passes = (r: string, i: string): string => `
        ($types IS NULL OR ${r}.types[${i}] IN $types)
        AND ($kinds IS NULL OR ${r}.types[${i}] <> 'COMMITMENT' OR ${r}.kinds[${i}] IN $kinds)
        AND CASE WHEN $statuses IS NULL THEN ${r}.statuses[${i}] <> 'CANCELLED'
                 ELSE ${r}.statuses[${i}] IN $statuses END
        AND ($from IS NULL OR (${r}.dates[${i}] <> '' AND ${r}.dates[${i}] >= $from))
        AND ($to IS NULL OR (${r}.dates[${i}] <> '' AND ${r}.dates[${i}] <= $to
             AND (size(${r}.announced[${i}]) = 10 OR ${r}.announced[${i}] <= $toMonth)))
        AND CASE WHEN ${r}.amounts[${i}] < 0 THEN $includeUnknown
                 ELSE ($minAmount IS NULL OR ${r}.amounts[${i}] >= $minAmount) END`;

/**
 * Flow `r` can be a step: some deal passes (and is dated, in a time-respecting search). Unfiltered,
 * that is some deal not cancelled: the flow's `live` flag.
 */
export const stepPasses = (r: string): string => `
      (CASE WHEN $unfiltered THEN ${r}.live
       ELSE any(i IN range(0, size(${r}.dealIds) - 1) WHERE ${passes(r, 'i')}
        AND (NOT $needDated OR ${r}.dates[i] <> '')) END)`;

function assertLength(maxLength: number): void {
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_FLOW_LENGTH) {
    throw new Error(`flow length ${maxLength} outside 1..${MAX_FLOW_LENGTH}`); // checked by callers
  }
}

/** Some deal of flow `r` that passes the filter has this type. */
export const passingOfType = (r: string, type: DealType): string => `
        CASE WHEN $unfiltered THEN ${r}.has${type === 'INVESTMENT' ? 'Investment' : 'Commitment'}
        ELSE any(i IN range(0, size(${r}.dealIds) - 1) WHERE ${r}.types[i] = '${type}' AND ${passes(r, 'i')})
        END`;

/**
 * Flow `r` as a step of a ranked search, in one pass over its deals: [the known amounts of its
 * passing deals summed (-1 when none is known), the latest date key among them ('' when none is
 * dated)]. Unfiltered, the flow carries both (flowStore.ts: `amount`, `latest`).
 */
const stepFigures = (r: string): string => `
      (CASE WHEN $unfiltered THEN [${r}.amount, ${r}.latest]
       ELSE reduce(u = [-1.0, ''], i IN range(0, size(${r}.dealIds) - 1) |
         CASE WHEN NOT (${passes(r, 'i')}) THEN u
         ELSE [CASE WHEN ${r}.amounts[i] < 0 THEN u[0] WHEN u[0] < 0 THEN ${r}.amounts[i]
                ELSE u[0] + ${r}.amounts[i] END,
               CASE WHEN ${r}.dates[i] > u[1] THEN ${r}.dates[i] ELSE u[1] END] END) END)`;

/**
 * Bounds on every step of a ranked search (null: none): `stepMin` a known amount of at least
 * that, `stepMax` an amount of at most that (unknown counts as 0), `latestMax` no passing deal
 * dated after that. A cycle whose bottleneck is at least t uses only steps of at least t; one of
 * total at most T only steps of at most T; one whose last date is at most d only steps dated no
 * later. So a search under such a bound finds every cycle ranked before it, expanding only the
 * flows that can be on one.
 */
const everyStepBound = (r: string): string => `
      (CASE WHEN $stepMin IS NULL AND $stepMax IS NULL AND $latestMax IS NULL THEN true
       ELSE all(g IN [${stepFigures(r)}] WHERE coalesce($stepMin, -1.0) <= g[0] <= coalesce($stepMax, 1.0e308)
         AND g[1] <= coalesce($latestMax, g[1])) END)`;

/**
 * Bounds on the first step of a rooted ranked search (null: none), for orders that a single step
 * can decide: a cycle of bottleneck at most t has a step of known amount at most t (`edgeMax`);
 * one of total at least T, of k steps, a step of at least T / k (`edgeMin`); one whose last date
 * is at least d a step dated at least d (`latestMin`).
 */
const someStepBound = (r: string): string => `
      all(g IN [${stepFigures(r)}] WHERE g[0] >= coalesce($edgeMin, -1.0)
        AND (g[0] >= 0 OR $edgeMax IS NULL) AND g[0] <= coalesce($edgeMax, 1.0e308)
        AND g[1] >= coalesce($latestMin, ''))`;

/**
 * What a search walks and returns. `walks`: every flow with a passing deal, each walk returned as
 * its relationship ids. The counts return nothing per walk: `count` walks the same flows;
 * `investmentsOnly` / `commitmentsOnly` only flows whose passing deals are all of one type, so
 * that the cycles with both an investment and a commitment are counted as all cycles less those
 * two, without reading every cycle's deals (a cycle cannot lack both: each step has a deal).
 * `ranked`: the flows within a ranked search's bounds, each walk returned as its relationships
 * (rankedStatement ranks them).
 */
const SEARCH = {
  walks: { step: stepPasses, output: (rels: string) => `[x IN ${rels} | id(x)]` },
  count: { step: stepPasses, output: () => 'true' },
  investmentsOnly: {
    step: (r: string) => `${stepPasses(r)} AND NOT (${passingOfType(r, 'COMMITMENT')})`,
    output: () => 'true',
  },
  commitmentsOnly: {
    step: (r: string) => `${stepPasses(r)} AND NOT (${passingOfType(r, 'INVESTMENT')})`,
    output: () => 'true',
  },
  ranked: {
    step: (r: string) => `${stepPasses(r)} AND ${everyStepBound(r)}`,
    output: (rels: string) => rels,
  },
} as const;
type Output = keyof typeof SEARCH;

/**
 * The walks of exactly `k` steps from `src` to `dst`, found as a join of two halves at their
 * middle company `m` (meet in the middle): the first ceil(k/2) steps expand forward from `src`,
 * the last floor(k/2) backward from `dst`, and a hash join on `m` pairs them (`USING JOIN ON m`;
 * without the hint the planner expands the second half from the end of every first half, which
 * is the full depth-first walk again). Each half only expands paths of half the length, so the
 * work grows with the number of half paths plus the number of walks found, where a walk of k - 1
 * steps forward expands every simple path that might close, most of which never do (1k
 * companies / 10k deals, length 5: 6.6M expanded paths for 0.9M cycles; 10k / 100k, length 4:
 * 42M for 2M).
 *
 * PROFILE, 1k / 10k, length 5: Repeat(Trail) from `src` and a chain of Expand(All) from `dst` on
 * the two sides of a NodeHashJoin. The first half is a quantified pattern, which keeps the
 * planner expanding it from `src`: spelled out hop by hop it was planned from an index scan of
 * the middle companies, 20 times slower. The second half is spelled out: as a quantified pattern
 * (Repeat) it took about twice the time of Expand(All). ACYCLIC cannot be mixed with the plain
 * hops in one pattern, so the walk is kept simple by conditions instead: companies in between
 * differ from the ends (anchored: have larger ids than the start) and from each other.
 *
 * `node` restricts the companies in between (the anchoring of whole-graph search); `extra` adds a
 * condition on the list of them. A walk is returned as the internal ids (`id()`) of its flow
 * relationships, in order: reading a property per company of every walk (its `id`) cost twice the
 * search itself (PROFILE: 3.5M property reads for 0.9M cycles); FLOW_DEALS then reads each
 * relationship once, by id, in the same transaction.
 */
export function walksOfLength(
  k: number,
  ends: { src: string; dst: string },
  node: ((v: string) => string) | null,
  extra: ((between: string) => string) | null,
  output: Output,
): string {
  const { src, dst } = ends;
  const step = SEARCH[output].step;
  const inBetween = (v: string): string =>
    node ? node(v) : [...new Set([src, dst])].map((e) => `${v} <> ${e}`).join(' AND ');
  if (k === 1) {
    return `
      MATCH (${src})-[r1:FLOWS_TO WHERE ${step('r1')}]->(${dst})${extra ? `\n      WHERE ${extra('[]')}` : ''}
      RETURN ${SEARCH[output].output('[r1]')} AS rest`;
  }
  const half = Math.ceil(k / 2);
  const first = `(${src})(()-[r:FLOWS_TO WHERE ${step('r')}]->(f WHERE ${inBetween('f')})){${half}}(m)`;
  // The second half: m -> n<half+1> -> ... -> n<k-1> -> dst, relationships r<half+1>..r<k>.
  const rest = Array.from({ length: k - half - 1 }, (_, i) => `n${half + 1 + i}`);
  const at = (i: number): string => (i === half ? 'm' : i === k ? dst : `n${i}`);
  let second = '(m)';
  for (let i = half; i < k; i++)
    second += `-[r${i + 1}:FLOWS_TO WHERE ${step(`r${i + 1}`)}]->(${at(i + 1)})`;
  const conditions: string[] = [];
  for (let i = 0; i < half; i++)
    for (let j = i + 2; j < half; j++) conditions.push(`f[${i}] <> f[${j}]`);
  for (const [i, v] of rest.entries()) {
    conditions.push(inBetween(v), `NOT ${v} IN f`);
    for (const w of rest.slice(0, i)) conditions.push(`${v} <> ${w}`);
  }
  if (extra) conditions.push(extra(rest.length ? `f + [${rest.join(', ')}]` : 'f'));
  const rels = `r + [${Array.from({ length: k - half }, (_, i) => `r${half + 1 + i}`).join(', ')}]`;
  return `
      MATCH ${first}, ${second}
      USING JOIN ON m${conditions.length ? `\n      WHERE ${conditions.join('\n        AND ')}` : ''}
      RETURN ${SEARCH[output].output(rels)} AS rest`;
}

/**
 * How a search ends: the walks collected in one row, stopped at cap + 1 by one LIMIT over all
 * starts; or, counting, their number (nothing is collected, so a count is bounded by the time
 * limit alone).
 */
const FINISH = (output: Output): string =>
  output === 'walks'
    ? `
    WITH rest LIMIT toInteger($cap) + 1
    RETURN collect(rest) AS rests`
    : `
    RETURN count(rest) AS cycles`;

/**
 * The walks `body` from every company `s` that can start a cycle (top-level, with flows in and
 * out, and `where`), one subquery per start so that each is planned forward from it.
 */
const fromStarts = (where: string, body: string): string => `
    MATCH (s:Company)
    WHERE s.rootId = s.id${where}
      AND EXISTS { (s)-[:FLOWS_TO]->() } AND EXISTS { ()-[:FLOWS_TO]->(s) }
    CALL (s) {${body}
    }`;

/** The walks of `length` steps from `$start` back to it, through every company of `$through`. */
const throughStart = (length: number, output: Output): string => `
    OPTIONAL MATCH (t:Company) WHERE t.id IN $through
    WITH collect(t) AS scope
    MATCH (s:Company {id: $start})
    CALL (s, scope) {${walksOfLength(length, { src: 's', dst: 's' }, null, (between) => `all(t IN scope WHERE t IN ${between})`, output)}
    }`;

/** What a search walks: cycles of the whole graph, among given companies, through one, or paths. */
type SearchKind = 'all' | 'among' | 'through' | 'paths';

/** The kinds and outputs a search can run, with the lengths each comes in. */
const STATEMENT_KINDS: { kind: SearchKind; outputs: Output[]; lengths: [number, number] }[] = [
  // Counts have their own statements (cycleCounts.ts countStatements).
  { kind: 'all', outputs: ['walks'], lengths: [2, MAX_FLOW_LENGTH] },
  { kind: 'through', outputs: ['walks'], lengths: [2, MAX_FLOW_LENGTH] },
  { kind: 'among', outputs: ['walks'], lengths: [2, MAX_GRAPH_CYCLE_LENGTH] },
  { kind: 'paths', outputs: ['walks'], lengths: [1, MAX_FLOW_LENGTH] },
];

/**
 * The statement finding the walks of exactly `length` steps of one kind.
 *
 * - all: every cycle, each once, from its smallest company id: a start company `s` only reaches
 *   companies with larger ids, so every cycle is produced once (from its smallest member) and
 *   rotations never are. Start companies without both an incoming and an outgoing flow cannot
 *   be on a cycle and are skipped. The search runs in a subquery per start company (so each is
 *   planned forward from `s`); one LIMIT over all starts stops it at cap + 1 walks, however many
 *   a start has, and the walks come back collected in one row (one record, not one per walk).
 * - among: the same, only cycles whose companies are all in $among (a drawn graph's companies).
 * - through: walks that leave $start and come back, passing every company of $through.
 * - paths: simple paths from $fromRoot to $toRoot.
 */
function searchStatement(kind: SearchKind, length: number, output: Output): Statement {
  assertLength(length);
  return builtStatement(
    `${kind === 'paths' ? 'paths' : `cycles:${kind}`}:${output}:${length}`,
    () => {
      switch (kind) {
        case 'all':
        case 'among': {
          const among = kind === 'among';
          const node = among
            ? (v: string): string => `${v}.id > s.id AND ${v}.id IN $among`
            : (v: string): string => `${v}.id > s.id`;
          return `${fromStarts(among ? ' AND s.id IN $among' : '', walksOfLength(length, { src: 's', dst: 's' }, node, null, output))}${FINISH(output)}`;
        }
        case 'through':
          return `${throughStart(length, output)}${FINISH(output)}`;
        case 'paths':
          return `
    MATCH (a:Company {id: $fromRoot})
    MATCH (b:Company {id: $toRoot})
    CALL (a, b) {${walksOfLength(length, { src: 'a', dst: 'b' }, null, null, 'walks')}
    }${FINISH('walks')}`;
      }
    },
    { oneMap: true },
  );
}

/** What a ranked search walks: the whole graph, cycles through given companies, or rooted. */
export type RankedKind = 'all' | 'through' | 'rooted' | 'prefixed';

/**
 * A flow of a found cycle, in one pass over its deals: [amount, latest date (as stepFigures),
 * has a passing investment, a passing commitment, known invested, known committed, investments
 * of unknown amount, commitments of unknown amount]. Unfiltered, the first four are the flow's
 * own properties; the last four only ROUND_TRIP_RATIO reads.
 */
const cycleFigures = (x: string): string => `
      CASE WHEN $unfiltered AND $field <> 'ROUND_TRIP_RATIO'
      THEN [${x}.amount, ${x}.latest, ${x}.hasInvestment, ${x}.hasCommitment]
      ELSE reduce(u = [-1.0, '', false, false, 0.0, 0.0, 0, 0], i IN range(0, size(${x}.dealIds) - 1) |
        CASE WHEN NOT (${passes(x, 'i')}) THEN u
        ELSE [CASE WHEN ${x}.amounts[i] < 0 THEN u[0] WHEN u[0] < 0 THEN ${x}.amounts[i]
               ELSE u[0] + ${x}.amounts[i] END,
              CASE WHEN ${x}.dates[i] > u[1] THEN ${x}.dates[i] ELSE u[1] END,
              u[2] OR ${x}.types[i] = 'INVESTMENT', u[3] OR ${x}.types[i] = 'COMMITMENT',
              u[4] + CASE WHEN ${x}.types[i] = 'INVESTMENT' AND ${x}.amounts[i] >= 0 THEN ${x}.amounts[i] ELSE 0.0 END,
              u[5] + CASE WHEN ${x}.types[i] = 'COMMITMENT' AND ${x}.amounts[i] >= 0 THEN ${x}.amounts[i] ELSE 0.0 END,
              u[6] + CASE WHEN ${x}.types[i] = 'INVESTMENT' AND ${x}.amounts[i] < 0 THEN 1 ELSE 0 END,
              u[7] + CASE WHEN ${x}.types[i] = 'COMMITMENT' AND ${x}.amounts[i] < 0 THEN 1 ELSE 0 END] END) END`;

/**
 * A cycle's value under the order `$field`, from the figures of its relationships `rest` (as
 * flows.ts computes it from the evaluated steps; null where flows.ts has null): LENGTH the steps,
 * TOTAL_AMOUNT the known amounts, BOTTLENECK the smallest step amount (null when a step has none
 * known), RECENCY the latest date as a number (20250915), ROUND_TRIP_RATIO committed / invested
 * under the rules of flows.ts roundTrip; and whether it has the mix (`$mixBoth`: an investment
 * and a commitment among the passing deals).
 */
const RANK_VALUE = `
    WITH rest, [x IN rest | ${cycleFigures('x')}] AS figs
    WITH rest, figs, CASE $field
      WHEN 'LENGTH' THEN toFloat(size(rest))
      WHEN 'TOTAL_AMOUNT' THEN reduce(t = 0.0, g IN figs | t + CASE WHEN g[0] > 0 THEN g[0] ELSE 0.0 END)
      WHEN 'BOTTLENECK' THEN reduce(m = figs[0][0], g IN figs | CASE WHEN g[0] < m THEN g[0] ELSE m END)
      WHEN 'RECENCY' THEN reduce(m = '', g IN figs | CASE WHEN g[1] > m THEN g[1] ELSE m END)
      ELSE reduce(t = [0.0, 0.0, 0, 0], g IN figs | [t[0] + g[4], t[1] + g[5], t[2] + g[6], t[3] + g[7]])
      END AS raw
    WHERE NOT $mixBoth OR (any(g IN figs WHERE g[2]) AND any(g IN figs WHERE g[3]))
    WITH rest, CASE $field
      WHEN 'BOTTLENECK' THEN CASE WHEN raw < 0 THEN null ELSE raw END
      WHEN 'RECENCY' THEN CASE WHEN raw = '' THEN null ELSE toFloat(toInteger(replace(raw, '-', ''))) END
      WHEN 'ROUND_TRIP_RATIO' THEN CASE WHEN raw[0] <= 0 OR raw[2] > 0 OR (raw[3] > 0 AND raw[1] = 0)
        THEN null ELSE raw[1] / raw[0] END
      ELSE raw END AS value`;

/**
 * The end of a ranked search: the walks with the mix within the certified range of values
 * (`$certMin`, `$certMax`), keyed as the page orders them (unknown values last, then the value
 * times `$sign`, then the cycle id: the rotation from the smallest company id), after the
 * `$after` key and no later than `$until` (the last of `$n` rows already in hand: [nf, sv]),
 * the first `$n` of them. The id reads one property per company, so it is built only for the
 * walks that pass. `dedup`: a rooted search finds a cycle once per qualifying step.
 */
const RANK_FINISH = (dedup: boolean): string => `${RANK_VALUE}
    WHERE ($certMin IS NULL OR value >= $certMin) AND ($certMax IS NULL OR value <= $certMax)
    WITH rest, CASE WHEN value IS NULL THEN 1 ELSE 0 END AS nf,
      CASE WHEN value IS NULL THEN 0.0 ELSE $sign * value END AS sv
    WHERE ($after IS NULL OR nf > $after[0] OR (nf = $after[0] AND sv >= $after[1]))
      AND ($until IS NULL OR nf < $until[0] OR (nf = $until[0] AND sv <= $until[1]))
    WITH rest, nf, sv, [x IN rest | startNode(x).id] AS ids
    WITH rest, nf, sv, ids,
      reduce(at = 0, i IN range(0, size(ids) - 1) | CASE WHEN ids[i] < ids[at] THEN i ELSE at END) AS at
    WITH rest, nf, sv,
      reduce(key = '', c IN ids[at..] + ids[..at] | key + CASE WHEN key = '' THEN '' ELSE '>' END + c) AS id
    WHERE $after IS NULL OR nf > $after[0]
      OR (nf = $after[0] AND (sv > $after[1] OR (sv = $after[1] AND id > $after[2])))${
        dedup
          ? `
    WITH nf, sv, id, head(collect(rest)) AS rest`
          : ''
      }
    WITH rest, nf, sv, id ORDER BY nf, sv, id LIMIT toInteger(coalesce($n, 0))
    RETURN collect([x IN rest | id(x)]) AS rests, collect(nf) AS nfs, collect(sv) AS svs,
      collect(id) AS ids`;

/**
 * The statement of a ranked search for cycles of exactly `length` companies: it finds them within
 * the bounds of the search and returns only the first `$n` in page order (RANK_FINISH), so a
 * page costs the cycles within the bounds, not every cycle.
 *
 * - all: every cycle from its smallest company (as `searchStatement` 'all'), steps within
 *   everyStepBound; `$starts` (in the order of cycle ids) restricts the smallest company.
 * - through: cycles through `$start` and every company of `$through`, as a join of their half
 *   walks that prunes by the page key (throughHalves).
 * - prefixed: cycles from the smallest company with a given start (`$prefixes`: lists of company
 *   ids, each the first steps of a walk from it, the first id the smallest): the last `length`
 *   steps (cycleRanking.ts prefixTail) back from the prefix's end, through larger ids not in the
 *   prefix.
 * - rooted: cycles whose step a -> b lies within someStepBound (every other step passing the
 *   filter), as that step and a walk back from b to a; through every company of `$scope`.
 */
function rankedStatement(kind: RankedKind, length: number): Statement {
  assertLength(length);
  return builtStatement(
    `cycles:ranked:${kind}:${length}`,
    () => {
      switch (kind) {
        case 'all':
          return `${fromStarts(
            ' AND ($starts IS NULL OR s.id IN $starts)',
            walksOfLength(length, { src: 's', dst: 's' }, (v) => `${v}.id > s.id`, null, 'ranked'),
          )}${RANK_FINISH(false)}`;
        case 'through':
          return throughHalves(length);
        case 'prefixed':
          return `
    UNWIND $prefixes AS prefix
    MATCH (s:Company {id: prefix[0]})
    MATCH (c:Company {id: prefix[size(prefix) - 1]})
    CALL (prefix) {
      UNWIND range(0, size(prefix) - 2) AS i
      MATCH (:Company {id: prefix[i]})-[x:FLOWS_TO]->(:Company {id: prefix[i + 1]})
      WITH i, x ORDER BY i
      RETURN collect(x) AS head
    }
    CALL (s, c, prefix) {${walksOfLength(length, { src: 'c', dst: 's' }, (v) => `${v}.id > s.id AND NOT ${v}.id IN prefix`, null, 'ranked')}
    }
    WITH head + rest AS rest${RANK_FINISH(false)}`;
        case 'rooted':
          return `
    OPTIONAL MATCH (t:Company) WHERE t.id IN $scope
    WITH collect(t) AS scope
    MATCH (a:Company)-[e:FLOWS_TO WHERE ${stepPasses('e')} AND ${everyStepBound('e')} AND ${someStepBound('e')}]->(b:Company)
    CALL (a, b, scope) {${walksOfLength(length - 1, { src: 'b', dst: 'a' }, null, (between) => `all(t IN scope WHERE t IN [a, b] + ${between})`, 'ranked')}
    }
    WITH [e] + rest AS rest${RANK_FINISH(true)}`;
      }
    },
    { oneMap: true },
  );
}

/**
 * The figures of a half walk (`rels`, in walk order), folded as RANK_VALUE folds a cycle's so that
 * two halves combine into the cycle's: [known total, smallest amount (-1 when a step has none
 * known), latest date key, has an investment, has a commitment, known invested, known committed,
 * investments of unknown amount, commitments of unknown amount].
 */
const halfFigures = (rels: string): string => `
      reduce(u = [0.0, 1.0e308, '', false, false, 0.0, 0.0, 0, 0], g IN [x IN ${rels} | ${cycleFigures('x')}] |
        [u[0] + CASE WHEN g[0] > 0 THEN g[0] ELSE 0.0 END, CASE WHEN g[0] < u[1] THEN g[0] ELSE u[1] END,
         CASE WHEN g[1] > u[2] THEN g[1] ELSE u[2] END, u[3] OR g[2], u[4] OR g[3],
         u[5] + coalesce(g[4], 0.0), u[6] + coalesce(g[5], 0.0), u[7] + coalesce(g[6], 0), u[8] + coalesce(g[7], 0)])`;

/**
 * A half walk as the pairing below reads it, `h`: its relationships, its companies in walk order
 * (both ends included), `hb` (its part of the cycle's value: see pairBound; one or two properties
 * per step, the rest of its figures are read only for the pairs that pass) and `ob`, ordered by
 * LENGTH (whose value is the same for every cycle of a length, so the id decides): what the id
 * of a cycle begins with when the cycle's smallest company is one of this half's, the walk from
 * that company on, joined by '>'. A half's own end is its first (the start for a first half, the
 * middle for a second); when its smallest company is its last, the other half's own, `ob` is
 * '\uFFFF', after every id; by other orders it is '' (no bound).
 */
const halfRow = (rels: string, walk: string): string => `
      WITH ${rels} AS rels, ${walk} AS walk
      WITH rels, walk,
        CASE WHEN $field IN ['TOTAL_AMOUNT', 'BOTTLENECK', 'RECENCY'] THEN
          reduce(u = [0.0, 1.0e308, ''], g IN [x IN rels | ${stepFigures('x')}] |
            [u[0] + CASE WHEN g[0] > 0 THEN g[0] ELSE 0.0 END, CASE WHEN g[0] < u[1] THEN g[0] ELSE u[1] END,
             CASE WHEN g[1] > u[2] THEN g[1] ELSE u[2] END]) END AS g,
        CASE WHEN $field = 'LENGTH' THEN [x IN walk | x.id] END AS ids
      WITH rels, walk, g, ids, CASE WHEN ids IS NOT NULL THEN
        reduce(at = 0, i IN range(0, size(ids) - 1) | CASE WHEN ids[i] < ids[at] THEN i ELSE at END) END AS at
      WITH {rels: rels, walk: walk,
        hb: CASE $field
          WHEN 'TOTAL_AMOUNT' THEN $sign * g[0]
          WHEN 'BOTTLENECK' THEN CASE WHEN g[1] < 0 THEN 1.0e308 ELSE $sign * g[1] END
          WHEN 'RECENCY' THEN CASE WHEN g[2] = '' THEN -$sign * 1.0e308
            ELSE $sign * toFloat(toInteger(replace(g[2], '-', ''))) END
          ELSE 0.0 END,
        ob: CASE WHEN at IS NULL THEN '' WHEN at = size(ids) - 1 THEN '\uFFFF'
          ELSE reduce(key = '', c IN ids[at..] | key + CASE WHEN key = '' THEN '' ELSE '>' END + c) END} AS h
      ORDER BY h.hb, h.ob`;

/**
 * A lower bound of the page position ([sv, id]) of any cycle made of a first half with bound `a`
 * and a second with bound `b` (the `hb` of halfRow): exact in sv for a cycle of known value (a
 * sum for TOTAL_AMOUNT, the larger or smaller for BOTTLENECK and RECENCY as the direction makes
 * their value the smaller or larger of the halves'; a half of unknown value is the identity or
 * makes the cycle's value unknown, placed last), none for ROUND_TRIP_RATIO. Both are monotone, so
 * the best `hb` of a list bounds every pair with it.
 */
const pairBound = (a: string, b: string, length: string): string => `
      CASE $field
        WHEN 'TOTAL_AMOUNT' THEN ${a} + ${b}
        WHEN 'LENGTH' THEN $sign * toFloat(${length})
        WHEN 'BOTTLENECK' THEN CASE WHEN ($sign < 0) = (${a} > ${b}) THEN ${a} ELSE ${b} END
        WHEN 'RECENCY' THEN CASE WHEN ($sign < 0) = (${a} < ${b}) THEN ${a} ELSE ${b} END
        ELSE -1.0e308 END`;

/** The smaller of two strings. */
const least = (a: string, b: string): string => `CASE WHEN ${a} <= ${b} THEN ${a} ELSE ${b} END`;

/**
 * Pairs whose bound ([sv, id]: pairBound, and the lesser `ob` of the halves, no later than the
 * cycle's id) is no later than the page key `T` ([nf, sv, id], null: none) and than `$until`:
 * the others cannot make the page.
 */
const withinBound = (sv: string, id: string): string => `
      (T IS NULL OR T[0] = 1 OR ${sv} < T[1] OR (${sv} = T[1] AND ${id} <= T[2]))
      AND ($until IS NULL OR $until[0] = 1 OR ${sv} <= $until[1])`;

/**
 * A pair of halves that make a cycle of the query, with its page key: companies distinct, every
 * company of `scope` on it, the mix, the certified range, after `$after`, no later than `$until`.
 * Yields `p`, `q`, `nf`, `sv` and `id`; the figures (halfFigures) and company ids are read here,
 * for the pairs that reach it only.
 */
const PAIR_KEY = `
      WITH p, q, scope WHERE none(c IN q.walk[1..-1] WHERE c IN p.walk)
        AND all(t IN scope WHERE t IN p.walk OR t IN q.walk)
      WITH p, q, ${halfFigures('p.rels')} AS g1, ${halfFigures('q.rels')} AS g2
      WHERE NOT $mixBoth OR ((g1[3] OR g2[3]) AND (g1[4] OR g2[4]))
      WITH p, q, [g1[0] + g2[0], CASE WHEN g1[1] < g2[1] THEN g1[1] ELSE g2[1] END,
        CASE WHEN g1[2] > g2[2] THEN g1[2] ELSE g2[2] END,
        g1[5] + g2[5], g1[6] + g2[6], g1[7] + g2[7], g1[8] + g2[8]] AS raw
      WITH p, q, CASE $field
        WHEN 'LENGTH' THEN toFloat(size(p.rels) + size(q.rels))
        WHEN 'TOTAL_AMOUNT' THEN raw[0]
        WHEN 'BOTTLENECK' THEN CASE WHEN raw[1] < 0 THEN null ELSE raw[1] END
        WHEN 'RECENCY' THEN CASE WHEN raw[2] = '' THEN null ELSE toFloat(toInteger(replace(raw[2], '-', ''))) END
        ELSE CASE WHEN raw[3] <= 0 OR raw[5] > 0 OR (raw[6] > 0 AND raw[4] = 0) THEN null ELSE raw[4] / raw[3] END
        END AS value
      WHERE ($certMin IS NULL OR value >= $certMin) AND ($certMax IS NULL OR value <= $certMax)
      WITH p, q, CASE WHEN value IS NULL THEN 1 ELSE 0 END AS nf,
        CASE WHEN value IS NULL THEN 0.0 ELSE $sign * value END AS sv,
        [x IN p.walk[..-1] + q.walk[..-1] | x.id] AS ids
      WITH p, q, nf, sv, ids,
        reduce(at = 0, i IN range(0, size(ids) - 1) | CASE WHEN ids[i] < ids[at] THEN i ELSE at END) AS at
      WITH p, q, nf, sv,
        reduce(key = '', c IN ids[at..] + ids[..at] | key + CASE WHEN key = '' THEN '' ELSE '>' END + c) AS id
      WHERE ($after IS NULL OR nf > $after[0]
          OR (nf = $after[0] AND (sv > $after[1] OR (sv = $after[1] AND id > $after[2]))))
        AND ($until IS NULL OR nf < $until[0] OR (nf = $until[0] AND sv <= $until[1]))`;

/**
 * The ranked search for cycles of `$minLength` to `maxLength` companies through `$start` (and
 * every company of `$through`), as a join of half walks that bounds each cycle's page key from its
 * halves before it reads the cycle:
 *
 * 1. The half walks out of the start (1 to ceil(maxLength / 2) steps) and back into it (1 to
 *    floor(maxLength / 2) steps), each walked once for every length (a cycle of k companies is a
 *    first half of ceil(k / 2) steps and a second of the rest: lengths 3 and 4 share their first
 *    halves, which one statement per length walked twice), grouped by the middle company `m`
 *    where they meet (a UNION grouped by `m`: a subquery per `m` was planned as a walk from the
 *    start per `m`, 2.2M db hits at 1k / 10k), each folded to its bound (halfRow) at the middles
 *    that have both, then split by length: a row per middle and length `k`.
 * 2. A threshold page key `T`: the key of the n-th of a few candidate cycles (the pairs of the
 *    best 3 halves each side at the 2n rows of best bound), real cycles that pass the query, so
 *    no cycle after it can make the page.
 * 3. The pairs whose bound (withinBound) is no later than `T` and `$until`, checked per row, then
 *    per first half, then per pair; only those are read (PAIR_KEY) and ranked, their first `$n`
 *    in page order.
 *
 * PROFILE, hub lab-001 of 10k / 100k, length 4, TOTAL_AMOUNT DESC: 17,028 first and 18,583
 * second halves meet at 2,905 middles, 13 middles and 263 pairs pass the threshold (the join of
 * walks it replaces made 248k cycles and read 4.0M properties for their figures).
 *
 * Through-company pages have no threshold levels (cycleRanking.ts thresholdsNeedValues); the
 * step predicate keeps everyStepBound so that a level's bounds would hold.
 */
function throughHalves(maxLength: number): string {
  const half = Math.ceil(maxLength / 2);
  const rest = Math.floor(maxLength / 2);
  const step = SEARCH.ranked.step;
  // The first half: s -> f[0] -> ... -> f[-1] = m, companies distinct (neighbours are: a flow
  // joins two companies) and never the start.
  const distinct = `all(i IN range(0, size(f) - 3) WHERE all(j IN range(i + 2, size(f) - 1) WHERE f[i] <> f[j]))`;
  // The second half: m -> g[0] -> ... -> g[-1] = s; its inner companies distinct from the start,
  // the middle and each other.
  const inner = `all(i IN range(0, size(g) - 2) WHERE g[i] <> s AND all(j IN range(i + 1, size(g) - 2) WHERE g[i] <> g[j]))`;
  return `
    OPTIONAL MATCH (t:Company) WHERE t.id IN $through
    WITH collect(t) AS scope
    MATCH (s:Company {id: $start})
    WITH scope, s, toInteger(coalesce($minLength, 2)) AS minLength
    CALL (s, minLength) {
      CALL (s, minLength) {
        MATCH (s)(()-[r:FLOWS_TO WHERE ${step('r')}]->(f WHERE f <> s)){1,${half}}(m)
        WHERE size(r) >= (minLength + 1) / 2 AND ${distinct}
        RETURN m, {rels: r, walk: [s] + f} AS w, 1 AS side
        UNION ALL
        MATCH (m)(()-[r:FLOWS_TO WHERE ${step('r')}]->(g WHERE g <> m)){1,${rest}}(s)
        WHERE size(r) >= minLength / 2 AND m <> s AND ${inner}
        RETURN m, {rels: r, walk: [m] + g} AS w, 2 AS side
      }
      WITH minLength, m, collect(CASE side WHEN 1 THEN w END) AS w1, collect(CASE side WHEN 2 THEN w END) AS w2
      WHERE size(w1) > 0 AND size(w2) > 0
      CALL (w1) {
        UNWIND w1 AS w${halfRow('w.rels', 'w.walk')}
        RETURN collect(h) AS firsts
      }
      CALL (w2) {
        UNWIND w2 AS w${halfRow('w.rels', 'w.walk')}
        RETURN collect(h) AS seconds
      }
      UNWIND range(minLength, ${maxLength}) AS k
      WITH k, [h IN firsts WHERE size(h.rels) = (k + 1) / 2] AS firsts,
        [h IN seconds WHERE size(h.rels) = k / 2] AS seconds
      WHERE size(firsts) > 0 AND size(seconds) > 0
      RETURN k, firsts, seconds
    }
    WITH scope, s, k, firsts, seconds,
      reduce(b = 1.0e308, h IN firsts | CASE WHEN h.hb < b THEN h.hb ELSE b END) AS b1,
      reduce(b = 1.0e308, h IN seconds | CASE WHEN h.hb < b THEN h.hb ELSE b END) AS b2,
      reduce(b = '\uFFFF', h IN firsts | ${least('h.ob', 'b')}) AS o1,
      reduce(b = '\uFFFF', h IN seconds | ${least('h.ob', 'b')}) AS o2
    WITH scope, s, k, firsts, seconds, b2, o2, ${pairBound('b1', 'b2', 'k')} AS msv, ${least('o1', 'o2')} AS mid
    ORDER BY msv, mid
    WITH scope, collect({k: k, firsts: firsts, seconds: seconds, b2: b2, o2: o2, sv: msv, id: mid}) AS ms
    CALL (scope, ms) {
      UNWIND ms[..2 * toInteger(coalesce($n, 0))] AS x
      UNWIND x.firsts[..3] AS p
      UNWIND x.seconds[..3] AS q${PAIR_KEY}
      WITH nf, sv, id ORDER BY nf, sv, id LIMIT toInteger(coalesce($n, 0))
      WITH collect([nf, sv, id]) AS keys
      RETURN CASE WHEN size(keys) >= coalesce($n, 0) AND size(keys) > 0 THEN keys[-1] END AS T
    }
    UNWIND ms AS x
    WITH scope, T, x WHERE ${withinBound('x.sv', 'x.id')}
    UNWIND [p IN x.firsts WHERE ${withinBound(pairBound('p.hb', 'x.b2', 'x.k'), least('p.ob', 'x.o2'))}] AS p
    UNWIND [q IN x.seconds WHERE ${withinBound(pairBound('p.hb', 'q.hb', 'x.k'), least('p.ob', 'q.ob'))}] AS q${PAIR_KEY}
    WITH p, q, nf, sv, id ORDER BY nf, sv, id LIMIT toInteger(coalesce($n, 0))
    RETURN collect([x IN p.rels + q.rels | id(x)]) AS rests, collect(nf) AS nfs, collect(sv) AS svs,
      collect(id) AS ids`;
}

/** The ranked statements, every kind and length. */
function rankedStatements(maxLength: number): Statement[] {
  const statements: Statement[] = [];
  for (const kind of ['all', 'through', 'rooted'] as const)
    for (let k = 2; k <= maxLength; k++) statements.push(rankedStatement(kind, k));
  const tails = new Set<number>();
  for (let k = 2; k <= maxLength; k++) {
    const tail = prefixTail(k);
    if (tail === null) continue;
    if (!tails.has(tail)) statements.push(rankedStatement('prefixed', tail));
    tails.add(tail);
    if (k - tail !== (prefixTail(k - 1) === null ? -1 : k - 1 - (prefixTail(k - 1) as number)))
      statements.push(prefixesStatement(k - tail));
  }
  return statements;
}

/**
 * The walks of `hops` steps from `$start` through larger ids, distinct companies: the prefixes of
 * the cycles from `$start` that a prefixed search completes.
 */
function prefixesStatement(hops: number): Statement {
  return builtStatement(
    `cycles:ranked:prefixes:${hops}`,
    () => `
    MATCH (s:Company {id: $start})
    MATCH (s)(()-[r:FLOWS_TO WHERE ${stepPasses('r')}]->(f WHERE f.id > s.id)){${hops}}(c)
    WHERE all(i IN range(0, size(f) - 1) WHERE all(j IN range(i + 1, size(f) - 1) WHERE f[i] <> f[j]))
    RETURN collect([s.id] + [x IN f | x.id]) AS prefixes`,
    { oneMap: true },
  );
}

/**
 * The values of the flows that can be a step under the filter, for a ranked search's thresholds:
 * known amounts (or latest dates, for RECENCY). One scan of the flows.
 */
const STEP_VALUES: Statement = oneMapStatement(
  'cycles:ranked:stepValues',
  `
    MATCH ()-[r:FLOWS_TO WHERE ${stepPasses('r')}]->()
    WITH ${stepFigures('r')} AS g
    RETURN collect(CASE WHEN $field = 'RECENCY' THEN g[1] ELSE g[0] END) AS values`,
);

/** The companies a whole-graph cycle can start at (top-level, with flows in and out). */
const CYCLE_STARTS: Statement = oneMapStatement(
  'cycles:ranked:starts',
  `
    MATCH (s:Company)
    WHERE s.rootId = s.id AND EXISTS { (s)-[:FLOWS_TO]->() } AND EXISTS { ()-[:FLOWS_TO]->(s) }
    RETURN collect(s.id) AS ids`,
);

/**
 * Every statement a cycle or path search can run: one per kind, output and exact length, and the
 * read of the found flows. Planned at start-up by `plan()`; a test checks that the searches run
 * nothing else.
 */
export function allStatements(maxLength = MAX_FLOW_LENGTH): Statement[] {
  const statements: Statement[] = [];
  for (const { kind, outputs, lengths } of STATEMENT_KINDS)
    for (const output of outputs)
      for (let k = lengths[0]; k <= Math.min(lengths[1], maxLength); k++)
        statements.push(searchStatement(kind, k, output));
  statements.push(FLOW_DEALS, ...countStatements(maxLength));
  statements.push(...rankedStatements(maxLength), STEP_VALUES, CYCLE_STARTS);
  return statements;
}

/**
 * The flow relationships of the found walks, by internal id: their two companies, their deals and
 * which of those pass the filter. PROFILE: DirectedRelationshipByIdSeek, one row per flow.
 */
const FLOW_DEALS: Statement = oneMapStatement(
  'flowDeals',
  `
    UNWIND $flowIds AS flowId
    MATCH (a:Company)-[f:FLOWS_TO]->(b:Company)
    WHERE id(f) = flowId
    RETURN flowId, a.id AS fromId, b.id AS toId, f {
      .dealIds, .types, .amounts, .dates, .announced,
      passing: [i IN range(0, size(f.dealIds) - 1) WHERE ${passes('f', 'i')} | i]
    } AS flow`,
);

const ROOT_IDS: Statement = {
  name: 'rootIds',
  cypher: `UNWIND $ids AS id MATCH (c:Company {id: id}) RETURN c.id AS id, c.rootId AS rootId`,
};

interface RawFlow {
  dealIds: string[];
  types: DealType[];
  amounts: number[];
  dates: string[];
  announced: string[];
  passing: number[];
}

function passingDeals(raw: RawFlow): FlowDeal[] {
  return raw.passing.map((k) => ({
    id: raw.dealIds[k] as string,
    type: raw.types[k] as DealType,
    amountUsd: (raw.amounts[k] as number) < 0 ? null : (raw.amounts[k] as number),
    dateKey: raw.dates[k] || null,
    announcedOn: raw.announced[k] || null,
  }));
}

export interface TimeCondition {
  timeRespecting: boolean;
  maxSpanDays: number | null;
}

export interface CycleQuery extends TimeCondition {
  /** Top-level company ids the cycle must pass through. */
  through: string[];
  minLength: number;
  maxLength: number;
  filter: FlowFilter;
  mix: 'INVESTMENT_AND_COMMITMENT' | 'ANY';
  order: { field: keyof typeof CYCLE_ORDER; direction: 'ASC' | 'DESC' };
}

export interface PathQuery extends TimeCondition {
  fromRoot: string;
  toRoot: string;
  maxLength: number;
  filter: FlowFilter;
  order: { field: keyof typeof PATH_ORDER; direction: 'ASC' | 'DESC' };
}

/** What a cycle search looks for (CycleQuery without the evaluation and order). */
interface CycleSearch {
  /** Top-level company ids every cycle passes through. */
  through: string[];
  /** Top-level company ids every cycle is made of (the companies of a drawn graph). */
  among?: string[];
  minLength: number;
  maxLength: number;
  filter: FlowFilter;
}

export interface CycleStoreOptions {
  /** Time limit of one cycle or path query. */
  timeoutMs: number;
  /** Most walks one query may return before it answers RESULT_LIMIT_EXCEEDED. */
  resultCap: number;
  /** Time limit of one count (default: timeoutMs). */
  countTimeoutMs?: number;
  /** Concurrent transactions a whole-graph count is split into (cycleCounts.ts; default 2). */
  countParts?: number;
}

export class CycleStore {
  constructor(
    private readonly db: Database,
    readonly options: CycleStoreOptions,
  ) {}

  /** Cycles as reported: evaluated, filtered by mix and time, ordered. */
  async cycles(query: CycleQuery): Promise<CycleRow[]> {
    return this.evaluateCycles(await this.findCycles(query), query);
  }

  /**
   * The cycles of `walks` (findCycles with the query's deal filter) that pass the query's mix and
   * time condition, with their figures, in the query's order.
   */
  evaluateCycles(walks: readonly FoundWalk[], query: CycleQuery): CycleRow[] {
    const rows: CycleRow[] = [];
    for (const w of walks) {
      if (query.mix !== 'ANY' && !hasInvestmentAndCommitment(w.steps)) continue;
      const cycle = toCycle(w.companyIds, w.steps, query.maxSpanDays);
      if (!query.timeRespecting || cycle.timeRespecting) rows.push(cycle);
    }
    return sortCycles(rows, query.order.field, query.order.direction);
  }

  async paths(query: PathQuery): Promise<PathRow[]> {
    const walks = await this.findPaths(query);
    const rows = walks
      .map((w) => toPath(w.companyIds, w.steps, query.maxSpanDays))
      .filter((p) => !query.timeRespecting || p.timeRespecting);
    return sortPaths(rows, query.order.field, query.order.direction);
  }

  /** Top-level parent of each id; ids that are no company are missing from the map. */
  async rootIds(ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.db.read<{ id: string; rootId: string }>(ROOT_IDS, { ids });
    return new Map(rows.map((r) => [r.id, r.rootId]));
  }

  /**
   * One page of cycles in the query's order, exact (the rows and order that sorting every cycle
   * would give) without finding every cycle: the levels of cycleRanking.ts, each a ranked
   * statement per length returning only its first `limit + 1` rows after the cursor, until
   * `limit + 1` rows pass the mix and the time condition. `after`: a page key (cycleRanking.ts
   * cycleKey) from a cursor. Everything runs in one read transaction, so a page sees one state.
   */
  async cyclePage(
    query: CycleQuery,
    after: SortKey | null,
    limit: number,
  ): Promise<{ rows: CycleRow[]; hasNextPage: boolean }> {
    const { field, direction } = query.order;
    const cursor = after ? rankCursor(after, field, direction) : null;
    if (after && !cursor) {
      throw new UserError(ErrorCode.BAD_USER_INPUT, 'after: is not a cursor this server issued.', {
        field: 'after',
      });
    }
    const n = limit + 1;
    const { kind, params } = this.cycleSearch(query);
    const base = {
      ...params,
      field,
      sign: direction === 'ASC' ? 1 : -1,
      mixBoth: query.mix !== 'ANY',
      scope: query.through,
      n,
    };
    const lengths: number[] = [];
    for (let k = query.minLength; k <= query.maxLength; k++) lengths.push(k);
    return this.db.readOnceTx(
      async (tx: QueryRunner) => {
        let levels: Level[];
        if (field === 'LENGTH') {
          const starts =
            kind === 'through'
              ? null
              : startOrder((await runIn<{ ids: string[] }>(tx, CYCLE_STARTS, base))[0]?.ids ?? []);
          levels = lengthLevels(direction, query.minLength, query.maxLength, starts, cursor);
        } else {
          const values = !thresholdsNeedValues(field, kind === 'through')
            ? []
            : ((await runIn<{ values: (number | string)[] }>(tx, STEP_VALUES, base))[0]?.values ??
              []);
          levels = thresholdLevels(
            field,
            direction,
            values,
            lengths,
            kind === 'through' ? 'through' : 'all',
            cursor,
          );
        }
        const steps = new Map<number, FlowStepRow>();
        const kept: CycleRow[] = [];
        let at = cursor;
        /** Runs a level round by round until the page is full or the level has no more rows. */
        const runLevel = async (level: Level): Promise<number> => {
          let foundAll = 0;
          for (;;) {
            const found = await this.rankedRound(
              tx,
              level,
              { ...base, after: at && [at.nf, at.sv, at.id] },
              n,
              query.order,
              query.maxLength,
            );
            foundAll += found.length;
            const missing = new Set<number>();
            for (const f of found) for (const id of f.rest) if (!steps.has(id)) missing.add(id);
            if (missing.size) {
              const flows = await runIn<{
                flowId: number;
                fromId: string;
                toId: string;
                flow: RawFlow;
              }>(tx, FLOW_DEALS, { ...params, flowIds: [...missing] });
              for (const f of flows)
                steps.set(f.flowId, step(f.fromId, f.toId, passingDeals(f.flow)));
            }
            for (const f of found) {
              const walkSteps = f.rest.map((id) => steps.get(id) as FlowStepRow);
              if (query.mix !== 'ANY' && !hasInvestmentAndCommitment(walkSteps)) continue;
              const cycle = toCycle(
                walkSteps.map((s) => s.fromId),
                walkSteps,
                query.maxSpanDays,
              );
              if (!query.timeRespecting || cycle.timeRespecting) kept.push(cycle);
            }
            const last = found.at(-1);
            if (last) at = last.cursor;
            // Full, or this level has no more rows after the cursor.
            if (kept.length >= n || found.length < n) return foundAll;
          }
        };
        let skip = false;
        for (const [i, level] of levels.entries()) {
          // A threshold under which nothing was found: the next one, twice as loose, likely finds
          // little more, so it is skipped (the schedule quadruples until something is found).
          if (skip && i < levels.length - 1 && field !== 'LENGTH') {
            skip = false;
            continue;
          }
          if (level.kind === 'prefixed') {
            for (const sub of await this.prefixLevels(tx, level, base, at)) {
              await runLevel(sub);
              if (kept.length >= n) break;
            }
          } else {
            skip = (await runLevel(level)) === 0;
          }
          if (kept.length >= n) break;
        }
        // The statements order as flows.ts does; sorting by flows.ts's own keys keeps it so even
        // where a float sum might differ in its last bit.
        kept.sort((a, b) =>
          compareCursors(cursorOf(a, field, direction), cursorOf(b, field, direction)),
        );
        return { rows: kept.slice(0, limit), hasNextPage: kept.length > limit };
      },
      this.options.timeoutMs,
      `cycles:${kind}:ranked`,
    );
  }

  /**
   * The levels of a prefixed level (one length, one smallest company): the walks that begin its
   * cycles (prefixesStatement), in the order of cycle ids, in batches that double from one; those
   * before the cursor's own prefix left out.
   */
  private async prefixLevels(
    tx: QueryRunner,
    level: Level,
    params: Record<string, unknown>,
    after: RankCursor | null,
  ): Promise<Level[]> {
    const k = level.lengths[0] as number;
    const hops = k - (prefixTail(k) as number);
    const [row] = await runIn<{ prefixes: string[][] }>(tx, prefixesStatement(hops), {
      ...params,
      start: level.starts?.[0],
    });
    const keyOf = (prefix: string[]): string => `${prefix.join('>')}>`;
    let prefixes = (row?.prefixes ?? []).map((p) => ({ p, key: keyOf(p) }));
    prefixes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (after) {
      const own = keyOf(after.id.split('>').slice(0, hops + 1));
      prefixes = prefixes.filter((p) => p.key >= own);
    }
    const levels: Level[] = [];
    for (let from = 0, size = 1; from < prefixes.length; from += size, size *= 2) {
      levels.push({
        ...level,
        prefixes: prefixes.slice(from, from + size).map((p) => p.p),
      });
    }
    return levels;
  }

  /**
   * One round of a level: its statement for each of its lengths in the query's range, the rows
   * merged in page order, the first `n`.
   */
  private async rankedRound(
    tx: QueryRunner,
    level: Level,
    params: Record<string, unknown>,
    n: number,
    order: CycleQuery['order'],
    maxLength: number,
  ): Promise<{ rest: number[]; cursor: RankCursor }[]> {
    const rows: { rest: number[]; cursor: RankCursor }[] = [];
    let bounds = level.bounds;
    // Once n rows are in hand, the longer lengths' rows ranked after the last of them are dropped
    // before their ids are built.
    let until: [number, number] | null = null;
    // A through-company statement can take every length of the level at once (they share their
    // halves), unless the order tightens the steps (BOTTLENECK DESC and the like): then the short
    // lengths, run first, fill the page and leave the long ones only the steps that can still
    // make it (10k / 100k hubs, BOTTLENECK DESC: p95 156 ms one length at a time, 361 ms at once).
    const together = level.kind === 'through' && !tightensSteps(order.field, order.direction);
    const calls = together ? [Math.max(...level.lengths)] : level.lengths;
    for (const k of calls) {
      const [row] = await runIn<{
        rests: number[][];
        nfs: (0 | 1)[];
        svs: number[];
        ids: string[];
      }>(
        tx,
        rankedStatement(level.kind, level.kind === 'prefixed' ? (prefixTail(k) as number) : k),
        {
          ...params,
          ...bounds,
          starts: level.starts,
          prefixes: level.prefixes ?? null,
          minLength: together ? Math.min(...level.lengths) : k,
          until,
        },
      );
      if (!row) continue;
      row.rests.forEach((rest, i) =>
        rows.push({
          rest,
          cursor: { nf: row.nfs[i] as 0 | 1, sv: row.svs[i] as number, id: row.ids[i] as string },
        }),
      );
      if (rows.length >= n) {
        rows.sort((a, b) => compareCursors(a.cursor, b.cursor));
        rows.length = n;
        const nth = (rows[n - 1] as { cursor: RankCursor }).cursor;
        until = [nth.nf, nth.sv];
        if (nth.nf === 0) {
          const v = nth.sv * (order.direction === 'ASC' ? 1 : -1);
          bounds = tightened({ ...level, bounds }, order.field, order.direction, v, maxLength);
        }
      }
    }
    rows.sort((a, b) => compareCursors(a.cursor, b.cursor));
    return rows.slice(0, n);
  }

  /**
   * Cycles with minLength..maxLength companies. With `through` (top-level ids), only cycles
   * through all of them, found by walking from the first; with `among` (top-level ids), only
   * cycles made of those companies.
   */
  async findCycles(search: CycleSearch, cap = this.options.resultCap): Promise<FoundWalk[]> {
    const { kind, params } = this.cycleSearch(search);
    return this.run(kind, search.minLength, search.maxLength, params, cap, true);
  }

  /**
   * The cycles that take a step between `a` and `b` (either way), minLength..maxLength companies:
   * what a change to the deals between two companies can affect (src/live). Anchored on the step,
   * so it reads only the paths back from its far end, with the path statements (`paths:walks:k`,
   * planned at start): for each flow x -> y of the pair, the paths y -> ... -> x of k - 1 steps
   * (inner companies other than x and y). The two-company cycle comes once, from a -> b.
   */
  async findCyclesThroughStep(
    search: { pair: [string, string]; minLength: number; maxLength: number; filter: FlowFilter },
    cap = this.options.resultCap,
  ): Promise<FoundWalk[]> {
    const [a, b] = search.pair;
    const base = this.params(search.filter);
    return this.db.readOnceTx(
      async (tx: QueryRunner) => {
        const found: number[][] = [];
        for (const [x, y] of [
          [a, b],
          [b, a],
        ] as const) {
          const ends = { ...base, fromRoot: x, toRoot: y, cap: 1 };
          const [first] = await runIn<{ rests: number[][] }>(
            tx,
            searchStatement('paths', 1, 'walks'),
            ends,
          );
          const step = first?.rests[0];
          if (!step) continue;
          const shortest = Math.max(x === a ? 2 : 3, search.minLength);
          for (let k = shortest; k <= search.maxLength; k++) {
            const rows = await runIn<{ rests: number[][] }>(
              tx,
              searchStatement('paths', k - 1, 'walks'),
              {
                ...base,
                fromRoot: y,
                toRoot: x,
                cap: cap - found.length,
              },
            );
            for (const row of rows) for (const rest of row.rests) found.push([...step, ...rest]);
            if (found.length > cap)
              throw new UserError(
                ErrorCode.RESULT_LIMIT_EXCEEDED,
                `More than ${cap} cycles take the step between ${a} and ${b}.`,
                { limit: 'resultCap', max: cap },
              );
          }
        }
        return this.walksOf(tx, found, base, true);
      },
      this.options.timeoutMs,
      'cycles:step:walks',
    );
  }

  /**
   * How many cycles a query would report, counted in Neo4j without returning them: for a client
   * that asks for the total alone, and for searches far past the result cap. Not for
   * time-respecting queries, whose condition needs the deals (the caller checks).
   */
  async countCycles(search: CycleSearch & { mix: CycleQuery['mix'] }): Promise<number> {
    const { kind, params } = this.cycleSearch(search);
    // Counting has its own statements (src/stores/cycleCounts.ts).
    return countCycles(
      this.db,
      {
        kind:
          kind === 'through' && search.through.length > 1
            ? 'throughSeveral'
            : kind === 'paths'
              ? 'all'
              : kind,
        params,
        minLength: search.minLength,
        maxLength: search.maxLength,
        mix: search.mix,
      },
      {
        timeoutMs: this.options.countTimeoutMs ?? this.options.timeoutMs,
        parts: this.options.countParts ?? 2,
      },
    );
  }

  /**
   * Has Neo4j plan every statement a search can run (allStatements), one after the other, by
   * running each with parameters that match nothing: no start company, no company to draw, no
   * flow ids, and a deal filter no deal passes (so a whole-graph search stops at the first step
   * of each start). Neo4j plans these long statements in a second or more each on a small machine,
   * which the first request of each kind and length would otherwise wait for; EXPLAIN alone is not
   * enough (the executable plan is built on the first run). The statements take their parameters
   * as one map (oneMapStatement), so the plan made here serves every filter. `maxLength` stops at
   * that length (a test that needs only the short ones); once `signal` is aborted (shutdown) it
   * stops after the statement in hand. Returns the names of the statements planned.
   */
  async plan(maxLength = MAX_FLOW_LENGTH, signal?: AbortSignal): Promise<string[]> {
    const params = {
      ...NOTHING_PASSES,
      start: '',
      through: [],
      among: [],
      fromRoot: '',
      toRoot: '',
      cap: 0,
      flowIds: [],
    };
    const planned: string[] = [];
    // What a request with the default maxLength runs first (its ranked pages, then its counts),
    // then the rest of the default lengths, then the longer ones, shortest first: a client's
    // first request comes while this runs (a fresh `npm start`: 20 s after start, its
    // circularDeals through a company waited 15.6 s for the planner when the lengths came first).
    const tier = (name: string): number => {
      if (statementLength(name) > DEFAULT_MAX_LENGTH) return 3;
      if (name.startsWith('cycles:ranked:')) return 0;
      return name.startsWith('cycleCounts:') ? 1 : 2;
    };
    const statements = allStatements(maxLength).sort(
      (a, b) => tier(a.name) - tier(b.name) || statementLength(a.name) - statementLength(b.name),
    );
    for (const statement of statements) {
      if (signal?.aborted) break;
      await this.db.readOnce(statement, params, this.options.timeoutMs);
      planned.push(statement.name);
    }
    return planned;
  }

  async findPaths(
    search: { fromRoot: string; toRoot: string; maxLength: number; filter: FlowFilter },
    cap = this.options.resultCap,
  ): Promise<FoundWalk[]> {
    return this.run(
      'paths',
      1,
      search.maxLength,
      { ...this.params(search.filter), fromRoot: search.fromRoot, toRoot: search.toRoot },
      cap,
      false,
    );
  }

  /**
   * The names of the statements a search runs, in order: for the test that `plan()` covers them.
   */
  statementsOf(
    search: CycleSearch | { paths: true; maxLength: number },
    output: Output = 'walks',
  ): string[] {
    const [kind, min]: [SearchKind, number] =
      'paths' in search ? ['paths', 1] : [this.cycleSearch(search).kind, search.minLength];
    const names: string[] = [];
    for (let k = min; k <= search.maxLength; k++) names.push(searchStatement(kind, k, output).name);
    if (output === 'walks') names.push(FLOW_DEALS.name);
    return names;
  }

  /**
   * The kind and parameters of a cycle search: through companies (walking from the first), among
   * companies, or the whole graph.
   */
  private cycleSearch(search: CycleSearch): { kind: SearchKind; params: Record<string, unknown> } {
    const [start, ...others] = search.through;
    return {
      kind: start !== undefined ? 'through' : search.among !== undefined ? 'among' : 'all',
      params: {
        ...this.params(search.filter),
        start: start ?? null,
        through: others,
        among: search.among ?? null,
      },
    };
  }

  private params(filter: FlowFilter): Record<string, unknown> {
    const unfiltered =
      !filter.types &&
      !filter.kinds &&
      !filter.statuses &&
      !filter.from &&
      !filter.to &&
      filter.minAmount === null &&
      filter.includeUnknown &&
      !filter.needDated;
    return { ...filter, unfiltered };
  }

  /**
   * Runs a search, one statement per length from `min` to `max`, each stopped at what is left of
   * the cap + 1, then reads the flows its walks step through, in the same transaction (the
   * internal ids of a walk's relationships are only valid within it). Each step is built once and
   * shared by every walk through it. `closed`: the walks are cycles.
   */
  private async run(
    kind: SearchKind,
    min: number,
    max: number,
    params: Record<string, unknown>,
    cap: number,
    closed: boolean,
  ): Promise<FoundWalk[]> {
    return this.db.readOnceTx(
      async (tx: QueryRunner) => {
        const found: number[][] = [];
        for (let k = min; k <= max; k++) {
          const rows = await runIn<{ rests: number[][] }>(tx, searchStatement(kind, k, 'walks'), {
            ...params,
            cap: cap - found.length,
          });
          for (const row of rows) found.push(...row.rests);
          if (found.length > cap) {
            throw new UserError(
              ErrorCode.RESULT_LIMIT_EXCEEDED,
              closed
                ? `More than ${cap} results: the result cap of this query, which needs every cycle (a page from the end with 'last'/'before', or the totalCount of time-respecting cycles). Ask for pages from the start with 'first'/'after' instead (ranked, no cap), or narrow it: a shorter maxLength, 'through' a company, or a minimum amount.`
                : `More than ${cap} results: the result cap of this query. Narrow it: a shorter maxLength or a minimum amount.`,
              { limit: 'resultCap', max: cap },
            );
          }
        }
        return this.walksOf(tx, found, params, closed);
      },
      this.options.timeoutMs,
      `${kind === 'paths' ? 'paths' : `cycles:${kind}`}:walks`,
    );
  }
  /** The walks of flow ids `found` with their steps' passing deals (one FLOW_DEALS read). */
  private async walksOf(
    tx: QueryRunner,
    found: number[][],
    params: Record<string, unknown>,
    closed: boolean,
  ): Promise<FoundWalk[]> {
    const flowIds = new Set<number>();
    for (const walk of found) for (const id of walk) flowIds.add(id);
    const steps = new Map<number, FlowStepRow>();
    const flows = await runIn<{ flowId: number; fromId: string; toId: string; flow: RawFlow }>(
      tx,
      FLOW_DEALS,
      { ...params, flowIds: [...flowIds] },
    );
    for (const f of flows) steps.set(f.flowId, step(f.fromId, f.toId, passingDeals(f.flow)));
    return found.map((walk) => {
      const walkSteps = walk.map((id) => steps.get(id) as FlowStepRow);
      const companyIds = walkSteps.map((s) => s.fromId);
      if (!closed) companyIds.push((walkSteps.at(-1) as FlowStepRow).toId);
      return { companyIds, steps: walkSteps };
    });
  }
}
