/**
 * Record versions, for optimistic concurrency. Every company and deal carries `version` (1 when
 * created, one more with each write that changes it) and `writeHash`, a hash of what the last
 * write wrote: a write whose hash equals the stored one changes nothing, so writing the same
 * input twice (re-importing a file) leaves the version alone.
 *
 * A write given `ifVersion` first takes the record's write lock (LOCK_* statements: a SET on the
 * node), then compares: two editors who read version 3 cannot both write version 4, as the second
 * waits for the first to commit and then finds version 4.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, UserError } from '../errors.js';

/** The Cypher that sets `version` from `row.writeHash` on node `n`, before `writeHash` is set. */
export const bumpVersion = (n: string): string =>
  `${n}.version = CASE WHEN ${n}.version IS NULL THEN 1
      WHEN ${n}.writeHash = row.writeHash THEN ${n}.version ELSE ${n}.version + 1 END`;

/** The hash of one record as written (a JSON-able value whose key order is fixed by the writer). */
export function writeHash(written: unknown): string {
  return createHash('sha256').update(JSON.stringify(written)).digest('base64url').slice(0, 22);
}

/** Refuses with CONFLICT when `ifVersion` is given and differs from `current` (0: missing). */
export function checkVersion(
  what: 'company' | 'deal',
  id: string,
  current: number,
  ifVersion: number | null | undefined,
): void {
  if (ifVersion === null || ifVersion === undefined || ifVersion === current) return;
  const state = current === 0 ? 'does not exist' : `is at version ${current}`;
  throw new UserError(
    ErrorCode.CONFLICT,
    `The ${what} '${id}' ${state}, not version ${ifVersion}: someone else changed it. Read it ` +
      'again and apply your change to what is there now.',
    { id, currentVersion: current, ifVersion },
  );
}
