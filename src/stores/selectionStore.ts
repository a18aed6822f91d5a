/**
 * Reads shaped by a GraphQL selection: a page of companies and everything the client selected
 * below them (parents, subsidiaries, totals, deal pages with their counterparties and sources, to
 * any depth) in one Cypher query, projecting only the selected fields.
 *
 * Why: a nested company page through per-field loaders costs one transaction per kind of field
 * and level (six for a page with parents, subsidiaries, totals and two deal lists), and on this
 * class of machine a Neo4j transaction's fixed cost (~7 ms of Neo4j CPU, ~5 ms of Node CPU) and
 * decoding every column of every row outweighed the work itself. One query, like @neo4j/graphql's
 * translation, does the same work in a single round trip.
 *
 * The query text depends on the shape of the selection only (which fields, nested how), never on
 * input values: arguments travel as parameters, and names in the text are generated (`c3`,
 * `deals4`), never aliases. Each part's value is stored under its response key (alias) on the row
 * it belongs to (`selectedParts`), where the field resolvers find it; fields not read here
 * (`Company.cycles`, ...) fall back to their loaders, which need only the `id` every row carries.
 */
import {
  dealAnchor,
  dealColumn,
  dealFilterOn,
  dealListCypher,
  dealOrderOn,
  dealPageClauses,
  filterParams,
  sourceOrderOn,
} from './dealStore.js';
import type {
  DealFilterParams,
  DealOrderKey,
  DealScalar,
  DealSide,
  SourceScalar,
} from './dealStore.js';
import {
  companyListCypher,
  listParams,
  subsidiaryOrderOn,
  totalsOf,
  type CompanyFilterParams,
  type CompanyOrderKey,
  type CompanyScalar,
  type TotalsFigure,
} from './companyStore.js';
import type { Database, Statement } from '../neo4j/database.js';
import { pageParams, type PageRequest, type SortKey } from './pagination.js';
import type { CompanyRow, DealRow, DealType, Page } from './rows.js';

/** What is selected of a company: scalars, and the parts stored under their response keys. */
export interface CompanySelection {
  scalars: Set<CompanyScalar>;
  parts: CompanyPart[];
}

export type CompanyPart =
  | {
      alias: string;
      kind: 'parent' | 'ultimateParent' | 'subsidiaries';
      company: CompanySelection;
    }
  | { alias: string; kind: 'totals'; figures: TotalsFigure[] }
  | {
      alias: string;
      kind: 'deals';
      side: DealSide;
      type: DealType;
      filter: DealFilterParams;
      page: PageRequest;
      deal: DealSelection;
    };

export interface DealSelection {
  scalars: Set<DealScalar>;
  parts: DealPart[];
}

export type DealPart =
  | { alias: string; kind: 'company'; rel: 'FROM' | 'TO'; company: CompanySelection }
  | { alias: string; kind: 'sources'; scalars: Set<SourceScalar> };

/** Builds the projection text of one selection and collects its parameters. */
class Projection {
  readonly params: Record<string, unknown> = {};
  private count = 0;

  private fresh(prefix: string): string {
    return `${prefix}${this.count++}`;
  }

  /** A map projection of the company in variable `c`. */
  company(c: string, selection: CompanySelection): string {
    const entries = ['.id', ...[...selection.scalars].map((field) => `.${field}`)];
    selection.parts.forEach((part, i) => entries.push(`p${i}: ${this.companyPart(c, part)}`));
    return `${c} { ${entries.join(', ')} }`;
  }

  private companyPart(c: string, part: CompanyPart): string {
    switch (part.kind) {
      case 'parent': {
        const p = this.fresh('c');
        return `[(${c})-[:SUBSIDIARY_OF]->(${p}:Company) | ${this.company(p, part.company)}][0]`;
      }
      case 'ultimateParent': {
        const r = this.fresh('c');
        return `COLLECT {
          MATCH (${c})-[:SUBSIDIARY_OF]->*(${r}:Company) WHERE NOT (${r})-[:SUBSIDIARY_OF]->()
          RETURN ${this.company(r, part.company)} AS row
        }[0]`;
      }
      case 'subsidiaries': {
        const s = this.fresh('c');
        return `COLLECT {
          MATCH (${c})<-[:SUBSIDIARY_OF]-(${s}:Company)
          WITH ${s} ORDER BY ${subsidiaryOrderOn(s)}
          RETURN ${this.company(s, part.company)} AS row
        }`;
      }
      case 'totals':
        return totalsOf(c, part.figures);
      case 'deals': {
        // The same page as DealStore.pagesByCompany: filter, newest first, total before paging.
        const d = this.fresh('d');
        const key = this.fresh('deals');
        this.params[key] = {
          ...filterParams({ ...part.filter, types: [part.type] }),
          ...pageParams(part.page),
        };
        const p = (name: string): string => `$${key}.${name}`;
        // The page is a keyset window (pagination.ts), its rows' sort keys returned for cursors.
        const w = `${d}w`;
        return `COLLECT {
          MATCH (${c})<-[:${part.side === 'made' ? 'FROM' : 'TO'}]-(${d}:Deal)
          WHERE ${dealFilterOn(d, p)}
          WITH DISTINCT ${d} ORDER BY ${dealOrderOn('ANNOUNCED_ON_DESC', d)}
          ${dealPageClauses('ANNOUNCED_ON_DESC', d, w, p)}
          RETURN {
            totalCount: size(${w}Items),
            before: ${w}Start,
            keys: [x IN ${w}Items[${w}Start..${w}End] | x.k],
            rows: [${d} IN [x IN ${w}Items[${w}Start..${w}End] | x.n] | ${this.deal(d, part.deal)}]
          } AS page
        }[0]`;
      }
    }
  }

  /** A map projection of the deal in variable `d`; `type` always (it picks the GraphQL type). */
  deal(d: string, selection: DealSelection): string {
    const entries = ['.id', '.type'];
    for (const field of selection.scalars) entries.push(dealColumn(field, d));
    selection.parts.forEach((part, i) => {
      if (part.kind === 'company') {
        const x = this.fresh('c');
        entries.push(
          `p${i}: [(${d})-[:${part.rel}]->(${x}:Company) | ${this.company(x, part.company)}][0]`,
        );
      } else {
        const s = this.fresh('s');
        const fields = ['.publisher', ...[...part.scalars].map((f) => `.${f}`)];
        entries.push(`p${i}: COLLECT {
          MATCH (${d})-[:REPORTED_BY]->(${s}:Source)
          WITH ${s} ORDER BY ${sourceOrderOn(s)}
          RETURN ${s} { ${[...new Set(fields)].join(', ')} } AS row
        }`);
      }
    });
    return `${d} { ${entries.join(', ')} }`;
  }
}

/**
 * Most distinct read-ahead statements (one per selection shape: which fields, nested how) this
 * process plans. Each is its own statement text, which Neo4j plans once, in a second or more on a
 * small machine, and keeps in a plan cache it shares with the cycle searches (1,000 entries by
 * default). Past the budget, a new shape is left to the per-field DataLoaders, whose statements
 * are fixed, so that no client can flood the plan cache by varying its selections.
 */
export const MAX_READ_AHEAD_SHAPES = 50;

/**
 * The read-ahead statements by text: `planning` while their first run (which plans them) is under
 * way in the background, `ready` once it has succeeded.
 */
const shapes = new Map<string, 'planning' | 'ready'>();
let planning: Promise<unknown>[] = [];

/**
 * Runs a read-ahead statement once Neo4j has planned it, and otherwise answers `undefined` at once
 * (the caller's loaders answer instead, with fixed statements planned long ago) and, the first
 * time and within the budget, has it planned in the background: by running it with this request's
 * parameters, whose rows are dropped. No request waits for the planner: the first request of a new
 * shape is answered by the loaders, the ones after it by one query.
 */
async function readAhead<T extends Record<string, unknown>>(
  db: Database,
  statement: Statement,
  params: Record<string, unknown>,
): Promise<T[] | undefined> {
  const state = shapes.get(statement.cypher);
  if (state === 'ready') return db.read<T>(statement, params);
  if (state === undefined && shapes.size < MAX_READ_AHEAD_SHAPES) {
    shapes.set(statement.cypher, 'planning');
    const run = db.read(statement, params).then(
      () => shapes.set(statement.cypher, 'ready'),
      () => shapes.delete(statement.cypher), // tried again by a later request
    );
    planning.push(run);
    void run.finally(() => (planning = planning.filter((p) => p !== run)));
  }
  return undefined;
}

/** Resolves when the read-ahead statements being planned are (for tests and the benchmark). */
export async function readAheadPlanned(): Promise<void> {
  while (planning.length) await Promise.all(planning);
}

/** How many read-ahead statements are planned or being planned (for tests). */
export function readAheadShapeCount(): number {
  return shapes.size;
}

/** The same text for equal selections: the group of reads that can share one query. */
export function selectionKey(selection: CompanySelection): string {
  return JSON.stringify(selection, (_, value: unknown) =>
    value instanceof Set ? [...(value as Set<unknown>)] : value,
  );
}

/** The selected parts of each row this store returned, by response key. */
const partsOf = new WeakMap<object, Map<string, unknown>>();

/**
 * The value stored for the field with response key `key` on a row this store returned, or
 * undefined when that field was not read with the row (its resolver loads it then).
 */
export function selectedPart<T>(row: object, key: string): { value: T } | undefined {
  const parts = partsOf.get(row);
  return parts?.has(key) ? { value: parts.get(key) as T } : undefined;
}

/** True for rows of this store: they carry the selected fields only, and never prime a loader. */
export function isPartialRow(row: object): boolean {
  return partsOf.has(row);
}

type Raw = Record<string, unknown>;

/** A page of a list statement: its rows, their sort keys, and what is around it (pagination.ts). */
type ListRow = { totalCount: number; before: number; keys: SortKey[]; rows: Raw[] };

/** Moves each part from its generated column (`p0`, ...) to the row's parts, recursively. */
function readCompany(raw: Raw, selection: CompanySelection): CompanyRow {
  const parts = new Map<string, unknown>();
  selection.parts.forEach((part, i) => {
    const value = raw[`p${i}`];
    delete raw[`p${i}`];
    switch (part.kind) {
      case 'parent':
      case 'ultimateParent':
        parts.set(part.alias, value == null ? null : readCompany(value as Raw, part.company));
        break;
      case 'subsidiaries':
        parts.set(
          part.alias,
          (value as Raw[]).map((row) => readCompany(row, part.company)),
        );
        break;
      case 'totals':
        parts.set(part.alias, value);
        break;
      case 'deals': {
        const page = value as { totalCount: number; before: number; keys: SortKey[]; rows: Raw[] };
        parts.set(part.alias, {
          ...page,
          rows: page.rows.map((row) => readDeal(row, part.deal)),
        } satisfies Page<DealRow>);
        break;
      }
    }
  });
  partsOf.set(raw, parts);
  return raw as unknown as CompanyRow;
}

function readDeal(raw: Raw, selection: DealSelection): DealRow {
  const parts = new Map<string, unknown>();
  selection.parts.forEach((part, i) => {
    const value = raw[`p${i}`];
    delete raw[`p${i}`];
    parts.set(
      part.alias,
      part.kind === 'company' && value != null ? readCompany(value as Raw, part.company) : value,
    );
  });
  partsOf.set(raw, parts);
  return raw as unknown as DealRow;
}

export class SelectionStore {
  constructor(private readonly db: Database) {}

  /**
   * Companies by id (null for an unknown id) with the selected fields below each, at once;
   * undefined while the statement of this selection is not planned yet (readAhead).
   */
  async companiesByIds(
    ids: readonly string[],
    selection: CompanySelection,
  ): Promise<(CompanyRow | null)[] | undefined> {
    const projection = new Projection();
    const rows = await readAhead<{ company: Raw }>(
      this.db,
      {
        name: 'companiesByIds:selected',
        cypher: `
          UNWIND $ids AS id
          MATCH (c:Company {id: id})
          RETURN ${projection.company('c', selection)} AS company`,
      },
      { ids, ...projection.params },
    );
    if (!rows) return undefined;
    const byId = new Map(rows.map((r) => [r.company.id as string, r.company]));
    return ids.map((id) => {
      const raw = byId.get(id);
      return raw ? readCompany(raw, selection) : null;
    });
  }

  /**
   * A page of deals (as DealStore.list) with the selected fields below each, at once; undefined
   * while the statement of this selection is not planned yet (readAhead).
   */
  async deals(
    filter: DealFilterParams,
    order: DealOrderKey,
    page: PageRequest,
    selection: DealSelection,
  ): Promise<Page<DealRow> | undefined> {
    const projection = new Projection();
    const anchor = dealAnchor(filter);
    const rows = await readAhead<ListRow>(
      this.db,
      {
        name: `deals:selected:${anchor}:${order}`,
        cypher: dealListCypher(anchor, order, projection.deal('d', selection)),
      },
      { ...filterParams(filter), ...pageParams(page), ...projection.params },
    );
    if (!rows) return undefined;
    const [result] = rows;
    if (!result) return { totalCount: 0, rows: [] };
    return { ...result, rows: result.rows.map((raw) => readDeal(raw, selection)) };
  }

  /**
   * A page of companies (as CompanyStore.list) with the selected fields below each, at once;
   * undefined while the statement of this selection is not planned yet (readAhead).
   */
  async companies(
    filter: CompanyFilterParams,
    order: CompanyOrderKey,
    page: PageRequest,
    selection: CompanySelection,
  ): Promise<Page<CompanyRow> | undefined> {
    const params = listParams(filter, page);
    if (!params) return { totalCount: 0, rows: [] };
    const projection = new Projection();
    const row = projection.company('c', selection);
    const rows = await readAhead<ListRow>(
      this.db,
      {
        // One metrics label for every shape.
        name: `companies:selected:${params.search !== null ? 'search' : 'all'}:${order}`,
        cypher: companyListCypher(order, params.search !== null, row),
      },
      { ...params, ...projection.params },
    );
    if (!rows) return undefined;
    const [result] = rows;
    if (!result) return { totalCount: 0, rows: [] };
    return { ...result, rows: result.rows.map((raw) => readCompany(raw, selection)) };
  }
}
