/**
 * What `bench:import` and `bench:cycles` share to time the import: a dataset in the JSON format
 * written out as a JSON file or as the two CSV files (companies.csv, deals.csv), and a run of the
 * real `npm run import` CLI on them in a child process against a given Neo4j, timed from spawn to
 * exit (start-up, reading, checks, writes and flows), with the peak RSS the CLI reports.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMPANY_COLUMNS, DEAL_COLUMNS } from '../src/importer/csvFiles.js';
import type { Dataset } from './syntheticIndustry.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type ImportFormat = 'json' | 'csv';

export interface ImportFigure {
  format: ImportFormat;
  companies: number;
  deals: number;
  seconds: number;
  /** Records (companies and deals) per second, from spawn to exit. */
  rate: number;
  /** The CLI's peak resident memory, as it reports it. */
  peakMb: number;
}

/** One CSV cell: quoted when it holds a comma, a quote or a line break. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = Array.isArray(value) ? value.join(';') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes lines to a file a thousand at a time (a 100k-deal file is never one string). */
function writeLines(file: string, lines: Iterable<string>): void {
  const fd = openSync(file, 'w');
  let buffer: string[] = [];
  for (const line of lines) {
    buffer.push(line);
    if (buffer.length === 1000) {
      writeSync(fd, buffer.join('\n') + '\n');
      buffer = [];
    }
  }
  if (buffer.length) writeSync(fd, buffer.join('\n') + '\n');
  closeSync(fd);
}

type Loose = Record<string, unknown>;

/** The dataset as companies.csv and deals.csv in `dir` (the README's CSV format). */
export function writeCsv(data: Dataset, dir: string): { companies: string; deals: string } {
  mkdirSync(dir, { recursive: true });
  const companies = path.join(dir, 'companies.csv');
  const deals = path.join(dir, 'deals.csv');
  writeLines(companies, [
    COMPANY_COLUMNS.join(','),
    ...data.companies.map((c) => COMPANY_COLUMNS.map((k) => cell(c[k])).join(',')),
  ]);
  const all = [
    ...data.investments.map((d) => ['INVESTMENT', d] as const),
    ...data.commitments.map((d) => ['COMMITMENT', d] as const),
  ];
  const sourceCount = Math.max(1, ...all.map(([, d]) => (d.sources as unknown[]).length));
  const sourceColumns = Array.from({ length: sourceCount }, (_, i) =>
    ['Publisher', 'Title', 'Url', 'PublishedOn'].map((f) => `source${i + 1}${f}`),
  ).flat();
  function* dealLines(): Iterable<string> {
    yield [...DEAL_COLUMNS, ...sourceColumns].join(',');
    for (const [type, d] of all) {
      const fromId = type === 'INVESTMENT' ? d.investorId : d.customerId;
      const toId = type === 'INVESTMENT' ? d.investeeId : d.providerId;
      const quantity = d.quantity as { value: number; unit: string } | undefined;
      const row: Loose = { ...d, type, fromId, toId };
      const cells = DEAL_COLUMNS.map((k) =>
        k === 'quantityValue'
          ? cell(quantity?.value)
          : k === 'quantityUnit'
            ? cell(quantity?.unit)
            : cell(row[k]),
      );
      const sources = d.sources as Loose[];
      for (let i = 0; i < sourceCount; i++) {
        const s = sources[i] ?? {};
        cells.push(cell(s.publisher), cell(s.title), cell(s.url), cell(s.publishedOn));
      }
      yield cells.join(',');
    }
  }
  writeLines(deals, dealLines());
  return { companies, deals };
}

/** The dataset as one JSON file in `dir`. */
export function writeJson(data: Dataset, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'dataset.json');
  writeFileSync(file, JSON.stringify(data));
  return file;
}

/**
 * Runs `npm run import` (its script, through tsx, as npm would) on `files` against the Neo4j at
 * `uri`, and says how long it took and how much memory it used. Throws when it does not exit 0.
 */
export async function runImportCli(
  uri: string,
  password: string,
  files: string[],
  extraArgs: string[] = [],
): Promise<{ seconds: number; peakMb: number; stdout: string; stderr: string }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/import.ts', ...files, ...extraArgs],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NEO4J_URI: uri,
        NEO4J_USER: 'neo4j',
        NEO4J_PASSWORD: password,
        NEO4J_DATABASE: 'neo4j',
        // The CLI's own Node options (e.g. a heap cap, to tell garbage from what the import holds).
        ...(process.env.BENCH_IMPORT_NODE_OPTIONS
          ? { NODE_OPTIONS: process.env.BENCH_IMPORT_NODE_OPTIONS }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (process.env.BENCH_IMPORT_VERBOSE) process.stderr.write(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(`npm run import exited ${code}:\n${stdout}\n${stderr.slice(-3000)}`);
  const peak = /peak memory (\d+) MB/.exec(stderr);
  return { seconds, peakMb: peak ? Number(peak[1]) : NaN, stdout, stderr };
}

/** Writes `data` as `format` into `dir`, imports it with the CLI and returns the figures. */
export async function timedImport(
  uri: string,
  password: string,
  data: Dataset,
  format: ImportFormat,
  dir: string,
): Promise<ImportFigure> {
  const files =
    format === 'json'
      ? [writeJson(data, dir)]
      : (({ companies, deals }) => [companies, deals])(writeCsv(data, dir));
  const { seconds, peakMb } = await runImportCli(uri, password, files);
  const deals = data.investments.length + data.commitments.length;
  return {
    format,
    companies: data.companies.length,
    deals,
    seconds,
    rate: (data.companies.length + deals) / seconds,
    peakMb,
  };
}

/** One line per figure, for a terminal or a README table. */
export function formatImportFigure(f: ImportFigure): string {
  return `import ${f.format.toUpperCase().padEnd(4)} ${f.companies.toLocaleString('en-US')} companies / ${f.deals.toLocaleString('en-US')} deals: ${f.seconds.toFixed(1)} s, ${Math.round(f.rate).toLocaleString('en-US')} records/s, peak RSS ${f.peakMb} MB`;
}
