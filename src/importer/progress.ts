/**
 * How `npm run import` shows where it is: on a terminal, one line redrawn in place with a bar,
 * the rate and the time left; otherwise (a log, CI, a pipe) plain lines, one per phase and one
 * every few seconds, that read well in a file.
 */
import type { ImportPhase, ImportProgress } from './importDataset.js';

const LABEL: Record<ImportPhase, string> = {
  reading: 'reading',
  companies: 'companies',
  deals: 'deals',
  flows: 'flows',
};
const UNIT: Record<ImportPhase, string> = {
  reading: 'records',
  companies: 'companies',
  deals: 'deals',
  flows: 'roots',
};
const BAR_WIDTH = 24;
const PLAIN_EVERY_MS = 5000;
const REDRAW_EVERY_MS = 100;

const count = (n: number): string => n.toLocaleString('en-US');

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressReporter {
  private phase: ImportPhase | undefined;
  private startedAt = 0;
  private endedAt: number | undefined;
  private shownAt = 0;
  private last: ImportProgress | undefined;
  /** Whether the last event is on screen already. */
  private shown = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.endedAt = now();
  }

  /** The line for one progress event, as a terminal shows it and as a log does. */
  static line(p: ImportProgress, elapsedMs: number, terminal: boolean): string {
    const rate = elapsedMs > 0 ? (p.done * 1000) / elapsedMs : 0;
    const rateText = `${count(Math.round(rate))} ${UNIT[p.phase]}/s`;
    const label = LABEL[p.phase].padEnd(9);
    if (p.total === null) return `${label} ${count(p.done)} ${UNIT[p.phase]}  ${rateText}`;
    const share = p.total === 0 ? 1 : Math.min(1, p.done / p.total);
    const eta =
      p.done >= p.total
        ? 'done'
        : rate > 0
          ? `ETA ${duration(((p.total - p.done) / rate) * 1000)}`
          : 'ETA ?';
    const figures = `${count(p.done)}/${count(p.total)}  ${rateText}  ${eta}`;
    if (!terminal) return `${label} ${figures}`;
    const filled = Math.round(share * BAR_WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    return `${label} [${bar}] ${String(Math.floor(share * 100)).padStart(3)}%  ${figures}`;
  }

  update(p: ImportProgress): void {
    const now = this.now();
    if (p.phase !== this.phase) {
      this.end();
      this.phase = p.phase;
      // A phase starts where the one before ended: its first batch took time too.
      this.startedAt = this.endedAt ?? now;
      this.shownAt = Number.NEGATIVE_INFINITY;
    }
    this.endedAt = now;
    this.last = p;
    this.shown = false;
    const finished = p.total !== null && p.done >= p.total;
    const every = this.out.isTTY ? REDRAW_EVERY_MS : PLAIN_EVERY_MS;
    if (!finished && now - this.shownAt < every) return;
    this.shownAt = now;
    this.show(now);
  }

  private show(now: number): void {
    if (!this.last) return;
    this.shown = true;
    const text = ProgressReporter.line(this.last, now - this.startedAt, this.out.isTTY === true);
    if (this.out.isTTY) {
      const width = this.out.columns ?? 100;
      this.out.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
    } else this.out.write(`${text}\n`);
  }

  /** Closes the current phase's line (a terminal's last redraw stays on screen). */
  end(): void {
    if (this.phase === undefined || !this.last) return;
    // The last event as of when it came, not as of now.
    if (!this.shown) this.show(this.endedAt ?? this.now());
    if (this.out.isTTY) this.out.write('\n');
    this.phase = undefined;
    this.last = undefined;
  }
}
