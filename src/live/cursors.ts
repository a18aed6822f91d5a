/**
 * Resume cursors, opaque to clients. A deal event's cursor is the change's sequence number in
 * the log (valid on every server); a cycle event's names the cycle watch that computed it (one
 * per distinct filter and server, see cycleWatch.ts) and the event's place in it, since which
 * cycles a client has been told about is that watch's history.
 */
import { ErrorCode, UserError, badInput } from '../errors.js';

export interface DealCursor {
  seq: number;
}

export interface CycleCursor {
  watch: string;
  index: number;
  seq: number;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export const dealCursor = (seq: number): string => encode({ d: seq });
export const cycleCursor = (c: CycleCursor): string => encode({ w: c.watch, i: c.index, s: c.seq });

function malformed(): UserError {
  return badInput([
    { field: 'after', message: 'is not a cursor of this subscription: give back an event cursor' },
  ]);
}

export function parseDealCursor(cursor: string): DealCursor {
  const v = decode(cursor) as { d?: unknown } | undefined;
  if (!v || typeof v !== 'object' || !isCount(v.d)) throw malformed();
  return { seq: v.d };
}

export function parseCycleCursor(cursor: string): CycleCursor {
  const v = decode(cursor) as { w?: unknown; i?: unknown; s?: unknown } | undefined;
  if (!v || typeof v !== 'object' || typeof v.w !== 'string' || !isCount(v.i) || !isCount(v.s))
    throw malformed();
  return { watch: v.w, index: v.i, seq: v.s };
}

export function cursorExpired(why: string): UserError {
  return new UserError(
    ErrorCode.CURSOR_EXPIRED,
    `The cursor can no longer be resumed: ${why}. Read the current state again (circularDeals, ` +
      'deals) and subscribe without `after`.',
  );
}
