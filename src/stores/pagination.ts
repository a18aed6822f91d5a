import { ErrorCode, UserError, badInput } from '../errors.js';
import type { Page } from './rows.js';

/** Largest page a list field returns; a client wanting more pages through with `after`. */
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  offset: number;
  limit: number;
}

/**
 * Cursors are opaque to clients: base64 of the position in the ordered result. Offsets keep
 * every ordering pageable; a write between two page requests can shift an item by one place.
 */
export function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) {
    throw badInput([{ field: 'after', message: 'is not a cursor this server issued' }]);
  }
  return Number(match[1]);
}

export function pageRequest(
  first: number | null | undefined,
  after: string | null | undefined,
): PageRequest {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 0) {
    throw badInput([{ field: 'first', message: 'must be a non-negative integer' }]);
  }
  if (limit > MAX_PAGE_SIZE) {
    throw new UserError(
      ErrorCode.BAD_USER_INPUT,
      `first: at most ${MAX_PAGE_SIZE} items per page; page through with 'after'.`,
      { limit: 'first', max: MAX_PAGE_SIZE },
    );
  }
  const offset = after ? decodeCursor(after) + 1 : 0;
  return { offset, limit };
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

export function toConnection<T>(page: Page<T>, request: PageRequest): Connection<T> {
  const edges = page.rows.map((node, i) => ({ cursor: encodeCursor(request.offset + i), node }));
  return {
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: request.offset + page.rows.length < page.totalCount,
      hasPreviousPage: request.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    edges,
  };
}
