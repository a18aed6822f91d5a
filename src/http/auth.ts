import { createHash, timingSafeEqual } from 'node:crypto';
import type { Caller } from '../context.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Reads `Authorization: Bearer <token>` and compares it in constant time with ADMIN_TOKEN. */
export function callerFrom(
  authorization: string | undefined,
  adminToken: string | undefined,
): Caller {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const token = match?.[1];
  return {
    writesEnabled: adminToken !== undefined,
    presentedToken: token !== undefined,
    isAdmin:
      adminToken !== undefined &&
      token !== undefined &&
      timingSafeEqual(digest(token), digest(adminToken)),
  };
}
