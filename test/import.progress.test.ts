/**
 * How `npm run import` shows its progress: on a terminal one line per phase redrawn in place,
 * with a bar, the rate and the time left; elsewhere (a log, CI) plain lines, one per finished
 * phase and at most one every few seconds in between. The clock is the test's.
 */
import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../src/importer/importDataset.js';
import { ProgressReporter } from '../src/importer/progress.js';

function reporter(isTTY: boolean) {
  let now = 0;
  const written: string[] = [];
  const progress = new ProgressReporter(
    { isTTY, columns: 120, write: (t) => written.push(t) },
    () => now,
  );
  return {
    written,
    at(ms: number, p: ImportProgress): void {
      now = ms;
      progress.update(p);
    },
    end: () => progress.end(),
  };
}

describe('import progress', () => {
  it('on a terminal: a bar redrawn in place, with the rate and the time left', () => {
    const r = reporter(true);
    r.at(1000, { phase: 'deals', done: 5000, total: 20_000 });
    r.at(1050, { phase: 'deals', done: 6000, total: 20_000 }); // within 100 ms: not redrawn
    r.at(2000, { phase: 'deals', done: 10_000, total: 20_000 });
    r.at(4000, { phase: 'deals', done: 20_000, total: 20_000 });
    r.end();
    expect(r.written).toHaveLength(4);
    expect(r.written.slice(0, 3).every((w) => w.startsWith('\r'))).toBe(true);
    // 5,000 deals in the first second (the phase began when the reporter was made).
    expect(r.written[0]).toMatch(
      /^\rdeals +\[█{6}░{18}\] +25% {2}5,000\/20,000 {2}5,000 deals\/s {2}ETA 3 s/,
    );
    expect(r.written[1]).toMatch(
      /\[█{12}░{12}\] +50% {2}10,000\/20,000 {2}5,000 deals\/s {2}ETA 2 s/,
    );
    expect(r.written[2]).toMatch(/\[█{24}\] 100% {2}20,000\/20,000 {2}5,000 deals\/s {2}done/);
    expect(r.written[3]).toBe('\n');
  });

  it('in a log: plain lines, one every 5 s and one when a phase is done', () => {
    const r = reporter(false);
    r.at(500, { phase: 'reading', done: 5000, total: null });
    r.at(1000, { phase: 'reading', done: 10_000, total: null });
    r.at(1200, { phase: 'companies', done: 1000, total: 1000 });
    r.at(2000, { phase: 'deals', done: 1000, total: 10_000 });
    r.at(4000, { phase: 'deals', done: 5000, total: 10_000 });
    r.at(8000, { phase: 'deals', done: 9000, total: 10_000 });
    r.at(9000, { phase: 'deals', done: 10_000, total: 10_000 });
    r.end();
    expect(r.written).toEqual([
      'reading   5,000 records  10,000 records/s\n',
      // The last count read is shown when the phase ends, even between two lines.
      'reading   10,000 records  10,000 records/s\n',
      'companies 1,000/1,000  5,000 companies/s  done\n',
      'deals     1,000/10,000  1,250 deals/s  ETA 7 s\n',
      'deals     9,000/10,000  1,324 deals/s  ETA 1 s\n',
      'deals     10,000/10,000  1,282 deals/s  done\n',
    ]);
    expect(r.written.join('')).not.toContain('\r');
  });
});
