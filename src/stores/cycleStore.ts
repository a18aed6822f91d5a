/**
 * Finding circular deals and money paths: Cypher path queries over the derived flow graph
 * (flowStore.ts: FLOWS_TO between top-level parents, one relationship per ordered pair, the
 * pair's deals as parallel lists). The found walks are then evaluated in src/domain/flows.ts.
 *
 * How the queries stay fast:
 * - They walk FLOWS_TO, not deals: one relationship per company pair however many deals back it,
 *   and no subsidiary roll-up at query time.
 * - Deal filters are inline predicates of the quantified path pattern, evaluated on the
 *   relationship's lists while expanding, so a step with no passing deal is never expanded.
 * - Whole-graph search anchors each cycle at its smallest company id: the walk starts at `s` and
 *   only enters companies with a larger id, so every cycle is produced once (from its smallest
 *   member) and rotations never are. Start companies without both an incoming and an outgoing
 *   flow cannot be on a cycle and are skipped.
 * - ACYCLIC makes the open walk a simple path (distinct companies); the closing step back to the
 *   start is matched separately, so the start appears twice only there.
 * - Quantifier bounds must be literals, so one statement per maximum length (2..8) is built from
 *   a closed range and cached.
 * - The search returns only the companies of each walk; the deals behind its steps are read in a
 *   second query, once per company pair however many walks share it, in the same transaction.
 * - Without deal filters, the deal mix (an investment and a commitment) is checked in Cypher from
 *   flags on the flows, so walks that fail it are never returned.
 * - Every query runs once (no retry on memory errors), under a timeout, with LIMIT cap + 1 so an
 *   oversized answer is detected without being materialised.
 */
import { ErrorCode, UserError } from '../errors.js';
import {
  builtStatement,
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

/** Hard cap on cycle length and path length (companies in a cycle, steps in a path). */
export const MAX_FLOW_LENGTH = 8;

export interface FlowFilter {
  types: DealType[] | null;
  kinds: string[] | null;
  statuses: string[] | null;
  /** Date keys (YYYY-MM-DD), inclusive. */
  from: string | null;
  to: string | null;
  minAmount: number | null;
  includeUnknown: boolean;
  /** Time-respecting search: a step needs at least one dated passing deal. */
  needDated: boolean;
}

/** A walk as Neo4j found it: companies in order and, per step, the deals that pass. */
export interface FoundWalk {
  companyIds: string[];
  steps: FlowStepRow[];
}

/** Deal `i` of flow relationship `r` passes the filter. */
const passes = (r: string, i: string): string => `
        ($types IS NULL OR ${r}.types[${i}] IN $types)
        AND ($kinds IS NULL OR ${r}.types[${i}] <> 'COMMITMENT' OR ${r}.kinds[${i}] IN $kinds)
        AND ($statuses IS NULL OR ${r}.statuses[${i}] IN $statuses)
        AND ($from IS NULL OR (${r}.dates[${i}] <> '' AND ${r}.dates[${i}] >= $from))
        AND ($to IS NULL OR (${r}.dates[${i}] <> '' AND ${r}.dates[${i}] <= $to))
        AND CASE WHEN ${r}.amounts[${i}] < 0 THEN $includeUnknown
                 ELSE ($minAmount IS NULL OR ${r}.amounts[${i}] >= $minAmount) END`;

/** Flow `r` can be a step: some deal passes (and is dated, in a time-respecting search). */
const stepPasses = (r: string): string => `
      ($unfiltered OR any(i IN range(0, size(${r}.dealIds) - 1) WHERE ${passes(r, 'i')}
        AND (NOT $needDated OR ${r}.dates[i] <> '')))`;

/** Without filters, the walk's flows include an investment and a commitment (or mix is ANY). */
const MIX = `($mixAny OR NOT $unfiltered OR (
        (back.hasInvestment OR any(x IN r WHERE x.hasInvestment))
        AND (back.hasCommitment OR any(x IN r WHERE x.hasCommitment))))`;

function assertLength(maxLength: number): void {
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_FLOW_LENGTH) {
    throw new Error(`flow length ${maxLength} outside 1..${MAX_FLOW_LENGTH}`); // checked by callers
  }
}

/**
 * All cycles of 2..maxLength companies, each once, from its smallest company id. The walk runs in
 * a subquery per start company and returns that start's cycles as one collected row: PROFILE
 * showed the flat form planned backwards from the closing step (Repeat(Into)), about four times
 * slower on 1k companies / 10k deals; per start, it expands forward from `s`. Each start's
 * collection stops at cap + 1; the total is checked by the caller.
 */
function allCyclesStatement(maxLength: number): Statement {
  assertLength(maxLength);
  return builtStatement(
    `cycles:all:${maxLength}`,
    () => `
    MATCH (s:Company)
    WHERE s.rootId = s.id
      AND EXISTS { (s)-[:FLOWS_TO]->() } AND EXISTS { ()-[:FLOWS_TO]->(s) }
    CALL (s) {
      MATCH ACYCLIC (s)(()-[r:FLOWS_TO WHERE ${stepPasses('r')}]->(n:Company) WHERE n.id > s.id){1,${maxLength - 1}}(last)
      MATCH (last)-[back:FLOWS_TO]->(s)
      WHERE ${stepPasses('back')} AND size(n) + 1 >= $minLength AND ${MIX}
      WITH n LIMIT toInteger($cap) + 1
      RETURN collect([x IN n | x.id]) AS rests
    }
    WITH s, rests WHERE size(rests) > 0
    RETURN s.id AS start, rests`,
  );
}

/** Cycles through one company: walks that leave it and come back, each cycle exactly once. */
function cyclesThroughStatement(maxLength: number): Statement {
  assertLength(maxLength);
  return builtStatement(
    `cycles:through:${maxLength}`,
    () => `
    MATCH (s:Company {id: $start})
    MATCH ACYCLIC (s)(()-[r:FLOWS_TO WHERE ${stepPasses('r')}]->(n:Company)){1,${maxLength - 1}}(last)
    MATCH (last)-[back:FLOWS_TO]->(s)
    WHERE ${stepPasses('back')} AND size(n) + 1 >= $minLength AND ${MIX}
      AND all(t IN $through WHERE t = s.id OR t IN [x IN n | x.id])
    RETURN s.id AS start, [[x IN n | x.id]] AS rests
    LIMIT toInteger($cap) + 1`,
  );
}

/** Simple paths of 1..maxLength steps from one top-level company to another. */
function pathsStatement(maxLength: number): Statement {
  assertLength(maxLength);
  return builtStatement(
    `paths:${maxLength}`,
    () => `
    MATCH (a:Company {id: $fromRoot})
    MATCH (b:Company {id: $toRoot})
    MATCH ACYCLIC (a)(()-[r:FLOWS_TO WHERE ${stepPasses('r')}]->(n:Company)){1,${maxLength}}(b)
    RETURN a.id AS start, [[x IN n | x.id]] AS rests
    LIMIT toInteger($cap) + 1`,
  );
}

/** The deals of the given flows (company pairs) and which of them pass the filter. */
const FLOW_DEALS: Statement = {
  name: 'flowDeals',
  cypher: `
    UNWIND $pairs AS pair
    MATCH (:Company {id: pair[0]})-[f:FLOWS_TO]->(:Company {id: pair[1]})
    RETURN pair[0] + '>' + pair[1] AS key, f {
      .dealIds, .types, .amounts, .dates, .announced,
      passing: [i IN range(0, size(f.dealIds) - 1) WHERE $unfiltered OR ${passes('f', 'i')} | i]
    } AS flow`,
};

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

export interface CycleStoreOptions {
  /** Time limit of one cycle or path query. */
  timeoutMs: number;
  /** Most walks one query may return before it answers RESULT_LIMIT_EXCEEDED. */
  resultCap: number;
}

export class CycleStore {
  constructor(
    private readonly db: Database,
    readonly options: CycleStoreOptions,
  ) {}

  /** Cycles as reported: evaluated, filtered by mix and time, ordered. */
  async cycles(query: CycleQuery): Promise<CycleRow[]> {
    const walks = await this.findCycles(query);
    const rows = walks
      .map((w) => toCycle(w.companyIds, w.steps, query.maxSpanDays))
      .filter((c) => query.mix === 'ANY' || hasInvestmentAndCommitment(c))
      .filter((c) => !query.timeRespecting || c.timeRespecting);
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
   * Cycles with minLength..maxLength companies. With `through` (top-level ids), only cycles
   * through all of them, found by walking from the first.
   */
  async findCycles(
    search: {
      through: string[];
      minLength: number;
      maxLength: number;
      filter: FlowFilter;
      mix: CycleQuery['mix'];
    },
    cap = this.options.resultCap,
  ): Promise<FoundWalk[]> {
    const [start, ...others] = search.through;
    const statement = start
      ? cyclesThroughStatement(search.maxLength)
      : allCyclesStatement(search.maxLength);
    return this.run(
      statement,
      {
        ...this.params(search.filter),
        start: start ?? null,
        through: others,
        minLength: search.minLength,
        mixAny: search.mix === 'ANY',
        cap,
      },
      cap,
      true,
    );
  }

  async findPaths(
    search: { fromRoot: string; toRoot: string; maxLength: number; filter: FlowFilter },
    cap = this.options.resultCap,
  ): Promise<FoundWalk[]> {
    return this.run(
      pathsStatement(search.maxLength),
      {
        ...this.params(search.filter),
        fromRoot: search.fromRoot,
        toRoot: search.toRoot,
        cap,
      },
      cap,
      false,
    );
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
   * Runs a search, then reads the deals of every company pair its walks step through, in one
   * transaction. `closed`: the walks are cycles, whose last step leads back to the first company.
   */
  private async run(
    statement: Statement,
    params: Record<string, unknown>,
    cap: number,
    closed: boolean,
  ): Promise<FoundWalk[]> {
    return this.db.readOnceTx(
      async (tx: QueryRunner) => {
        const rows = await runIn<{ start: string; rests: string[][] }>(tx, statement, params);
        const walks = rows.flatMap((r) => r.rests.map((rest) => [r.start, ...rest]));
        if (walks.length > cap) {
          throw new UserError(
            ErrorCode.RESULT_LIMIT_EXCEEDED,
            `More than ${cap} results: the result cap of this query. Narrow it: a shorter maxLength, 'through' a company, or a minimum amount.`,
            { limit: 'resultCap', max: cap },
          );
        }
        const pairs = new Map<string, [string, string]>();
        for (const ids of walks) {
          const hops = closed ? ids.length : ids.length - 1;
          for (let i = 0; i < hops; i++) {
            const pair: [string, string] = [ids[i] as string, ids[(i + 1) % ids.length] as string];
            pairs.set(pair.join('>'), pair);
          }
        }
        const flows = new Map(
          (
            await runIn<{ key: string; flow: RawFlow }>(tx, FLOW_DEALS, {
              ...params,
              pairs: [...pairs.values()],
            })
          ).map((r) => [r.key, passingDeals(r.flow)]),
        );
        return walks.map((ids) => {
          const hops = closed ? ids.length : ids.length - 1;
          const steps = Array.from({ length: hops }, (_, i) => {
            const from = ids[i] as string;
            const to = ids[(i + 1) % ids.length] as string;
            return step(from, to, flows.get(`${from}>${to}`) ?? []);
          });
          return { companyIds: ids, steps };
        });
      },
      this.options.timeoutMs,
      statement.name,
    );
  }
}
