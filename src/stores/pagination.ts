/**
 * Relay-style pages, keyset-based.
 *
 * A cursor names a position in a list by the sort key of the row there (the values it is ordered
 * by, the id last), not by an offset: `after: X` means "the rows that sort after X", so a row
 * written or deleted between two page requests neither shifts the next page (no row skipped or
 * repeated) nor invalidates the cursor, even when X's own row is gone. The stores order each list
 * by a fixed set of columns (SortColumn) whose values are also returned with every row (`keys`),
 * and find a page as a window of the ordered list: the rows after `after`, before `before`, the
 * first `first` of them or (with `last`) the last `last`.
 *
 * Cursors are opaque (base64url of JSON) and bound to their list: they carry a hash of the
 * connection field and its arguments (everything but the paging ones), and a cursor of another
 * list, or of the same list under other arguments, is refused with BAD_USER_INPUT.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, UserError, badInput } from '../errors.js';
import type { Page } from './rows.js';

/** Largest page a list field returns; a client wanting more pages through with `after`. */
export const MAX_PAGE_SIZE = 100;

/** The values a row is ordered by, the id last. */
export type SortKey = (string | number)[];

/** One column of a list's order: a Cypher expression over the row variable, and its direction. */
export interface SortColumn {
  expr: (v: string) => string;
  direction: 'ASC' | 'DESC';
}

export interface PageRequest {
  limit: number;
  /** `last`: the page ends at `before` (or the end of the list) instead of starting at `after`. */
  fromEnd: boolean;
  after: SortKey | null;
  before: SortKey | null;
  /** What this list's cursors are bound to: a hash of the connection and its arguments. */
  binding: string;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** The binding of a list: its connection (`Query.deals`, ...) and its non-paging arguments. */
export function listBinding(connection: string, args: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([connection, args ?? null]))
    .digest('base64url')
    .slice(0, 12);
}

export function encodeCursor(binding: string, key: SortKey): string {
  return Buffer.from(JSON.stringify({ b: binding, k: key })).toString('base64url');
}

function decodeCursor(cursor: string, binding: string, field: 'after' | 'before'): SortKey {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = null;
  }
  const { b, k } = (decoded ?? {}) as { b?: unknown; k?: unknown };
  const wellFormed =
    typeof b === 'string' &&
    Array.isArray(k) &&
    k.length > 0 &&
    k.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)));
  if (!wellFormed) {
    throw badInput([{ field, message: 'is not a cursor this server issued' }]);
  }
  if (b !== binding) {
    throw badInput([
      {
        field,
        message:
          'is a cursor of another list (another field, or other arguments): page with the cursors of this list',
      },
    ]);
  }
  return k as SortKey;
}

function checkSize(value: number | null | undefined, field: 'first' | 'last'): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < 0) {
    throw badInput([{ field, message: 'must be a non-negative integer' }]);
  }
  if (value > MAX_PAGE_SIZE) {
    throw new UserError(
      ErrorCode.BAD_USER_INPUT,
      `${field}: at most ${MAX_PAGE_SIZE} items per page; page through with '${field === 'first' ? 'after' : 'before'}'.`,
      { limit: field, max: MAX_PAGE_SIZE },
    );
  }
}

/**
 * The page the arguments ask for. `last` (with or without `before`) pages from the end and takes
 * precedence over `first` (whose schema default would otherwise always be set).
 */
export function pageRequest(args: PageArgs, binding: string): PageRequest {
  checkSize(args.first, 'first');
  checkSize(args.last, 'last');
  const fromEnd = args.last !== null && args.last !== undefined;
  return {
    limit: (fromEnd ? args.last : args.first) ?? 20,
    fromEnd,
    after: args.after ? decodeCursor(args.after, binding, 'after') : null,
    before: args.before ? decodeCursor(args.before, binding, 'before') : null,
    binding,
  };
}

/** The first `limit` rows of a list, for reads of the server's own (no cursors handed out). */
export function firstRows(limit: number): PageRequest {
  return { limit, fromEnd: false, after: null, before: null, binding: '' };
}

/** The Cypher parameters of a page request. */
export function pageParams(page: PageRequest): Record<string, unknown> {
  return { after: page.after, before: page.before, fromEnd: page.fromEnd, limit: page.limit };
}

/** ORDER BY text of `columns` over the row variable `v`. */
export function orderByOn(columns: readonly SortColumn[], v: string): string {
  return columns.map((c) => `${c.expr(v)} ${c.direction}`).join(', ');
}

/** The sort key of the row variable `v`, as a Cypher list. */
export function sortKeyOn(columns: readonly SortColumn[], v: string): string {
  return `[${columns.map((c) => c.expr(v)).join(', ')}]`;
}

/** Cypher: key list `k` sorts strictly after (`later`) or before the key parameter `at`. */
function beyond(columns: readonly SortColumn[], k: string, at: string, later: boolean): string {
  const step = (i: number): string => {
    const column = columns[i]!;
    const op = (column.direction === 'ASC') === later ? '>' : '<';
    const here = `${k}[${i}] ${op} ${at}[${i}]`;
    return i === columns.length - 1
      ? here
      : `(${here} OR (${k}[${i}] = ${at}[${i}] AND ${step(i + 1)}))`;
  };
  return step(0);
}

/**
 * Cypher clauses that cut a page out of `<name>Items`, a list of `{n: row, k: sort key}` maps in
 * list order bound by the caller: they bind `<name>Start` and `<name>End` (the page is
 * `<name>Items[<name>Start..<name>End]`, and `<name>Start` rows come before it). `p` names the
 * parameters of pageParams; `carry` the variables to keep in scope. Two clauses only: a query
 * reading many nested pages at once has one window per page, and each clause costs planning.
 */
export function pageWindow(
  columns: readonly SortColumn[],
  p: (name: string) => string,
  name: string,
  carry: readonly string[] = [],
): string {
  const keep = carry.length ? `${carry.join(', ')}, ` : '';
  const list = `${name}Items`;
  // The list is ordered, so the rows after `after` are a suffix and those before `before` a prefix.
  const lo = `CASE WHEN ${p('after')} IS NULL THEN 0
          ELSE size([x IN ${list} WHERE NOT (${beyond(columns, 'x.k', p('after'), true)})]) END`;
  const hi = `CASE WHEN ${p('before')} IS NULL THEN size(${list})
          ELSE size([x IN ${list} WHERE ${beyond(columns, 'x.k', p('before'), false)}]) END`;
  const [l, h, start] = [`${name}Lo`, `${name}Hi`, `${name}Start`];
  const startExpr = `CASE WHEN ${p('fromEnd')} AND ${h} - ${p('limit')} > ${l} THEN ${h} - ${p('limit')} ELSE ${l} END`;
  return `
      WITH ${keep}${list}, ${lo} AS ${l}, ${hi} AS ${h}
      WITH ${keep}${list}, ${startExpr} AS ${start},
        CASE WHEN ${p('fromEnd')} OR (${startExpr}) + ${p('limit')} > ${h} THEN ${h}
          ELSE (${startExpr}) + ${p('limit')} END AS ${name}End`;
}

/** A page out of rows already ordered in memory by `keyOf` (cycles, paths), as pageWindow. */
export function pageOf<T>(
  rows: readonly T[],
  keyOf: (row: T) => SortKey,
  directions: readonly ('ASC' | 'DESC')[],
  request: PageRequest,
): Page<T> {
  const compare = (a: SortKey, b: SortKey): number => {
    for (let i = 0; i < a.length; i++) {
      const [x, y] = [a[i]!, b[i]!];
      if (x !== y) return (x < y ? -1 : 1) * (directions[i] === 'DESC' ? -1 : 1);
    }
    return 0;
  };
  const keys = rows.map(keyOf);
  const { after, before } = request;
  const lo = after ? keys.filter((k) => compare(k, after) <= 0).length : 0;
  const hi = before ? keys.filter((k) => compare(k, before) < 0).length : rows.length;
  const start = request.fromEnd ? Math.max(lo, hi - request.limit) : lo;
  const end = request.fromEnd ? hi : Math.min(hi, start + request.limit);
  return {
    rows: rows.slice(start, Math.max(start, end)),
    keys: keys.slice(start, Math.max(start, end)),
    totalCount: rows.length,
    before: start,
  };
}

export interface Connection<T> {
  totalCount: number;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: T }[];
}

/**
 * A page as a connection. `hasPreviousPage` / `hasNextPage` say whether rows of the list come
 * before / after this page, whichever way it was asked for.
 */
export function toConnection<T>(page: Page<T>, request: PageRequest): Connection<T> {
  const before = page.before ?? 0;
  const edges = page.rows.map((node, i) => ({
    cursor: encodeCursor(request.binding, page.keys?.[i] ?? []),
    node,
  }));
  return {
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: before + page.rows.length < page.totalCount,
      hasPreviousPage: before > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    edges,
  };
}
