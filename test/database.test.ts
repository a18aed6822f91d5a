import { afterAll, describe, expect, it } from 'vitest';
import { testDatabase } from './support/harness.js';

const db = testDatabase({ heavyReadConcurrency: 2 });
afterAll(() => db.close());

describe('Database', () => {
  it('runs at most heavyReadConcurrency heavy reads at once; the others wait their turn', async () => {
    let running = 0;
    let most = 0;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        db.readOnceTx(
          async (tx) => {
            running++;
            most = Math.max(most, running);
            try {
              const result = await tx.run('RETURN $i AS i', { i });
              // Hold the turn a little, so that the others pile up behind it.
              await new Promise((resolve) => setTimeout(resolve, 100));
              return Number(result.records[0]!.get('i'));
            } finally {
              running--;
            }
          },
          10_000,
          'heavyReadTest',
        ),
      ),
    );
    expect(answers).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });
});
