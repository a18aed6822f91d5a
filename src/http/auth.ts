import { createHash, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../context.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function bearer(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
}

/** The request presents `Authorization: Bearer <expected>` (compared in constant time). */
export function presents(authorization: string | undefined, expected: string): boolean {
  const token = bearer(authorization);
  return token !== undefined && timingSafeEqual(digest(token), digest(expected));
}

/** Reads `Authorization: Bearer <token>` and compares it in constant time with ADMIN_TOKEN. */
export function callerFrom(
  authorization: string | undefined,
  adminToken: string | undefined,
): Caller {
  return {
    writesEnabled: adminToken !== undefined,
    presentedToken: bearer(authorization) !== undefined,
    isAdmin: adminToken !== undefined && presents(authorization, adminToken),
  };
}
