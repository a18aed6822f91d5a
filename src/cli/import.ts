/**
 * `npm run import -- FILE.json | [companies.csv] [deals.csv] | DIR [--dry-run] [--strict]
 * [--batch-size N]`
 *
 * Loads a dataset: a JSON file in the documented format, or CSV files (a companies file and a
 * deals file, told apart by name; a folder holding `companies.csv` and/or `deals.csv`). Files
 * are streamed. Valid records are written in batched transactions; every rejected record is
 * listed with its reasons. `--dry-run` validates only (references are checked against the
 * database, nothing is written); `--strict` writes nothing when any record is rejected. Progress
 * goes to stderr: a bar on a terminal, plain lines otherwise. Exit code 0: all accepted; 1: some
 * rejected; 2: unusable input. Talks to NEO4J_URI, or to the local Neo4j of a running
 * `npm start`, or starts the local one.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { connect } from '../bootstrap.js';
import { fail, parseOrFail } from './args.js';
import { loadConfig } from '../config.js';
import { csvKind, csvReader } from '../importer/csvFiles.js';
import {
  DEFAULT_BATCH_SIZE,
  DatasetError,
  formatRejections,
  importFrom,
} from '../importer/importDataset.js';
import { jsonFileReader } from '../importer/jsonFile.js';
import { ProgressReporter } from '../importer/progress.js';
import type { DatasetReader } from '../importer/records.js';

const USAGE =
  'usage: npm run import -- FILE.json | [companies.csv] [deals.csv] | DIR [--dry-run] [--strict] [--batch-size N]';

const { values, positionals } = parseOrFail(
  {
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
    },
  },
  USAGE,
);

const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 50_000) {
  fail('--batch-size must be an integer from 1 to 50000');
}

/** The reader for the files named, or exit 2 saying why there is none. */
function readerFor(files: string[]): { reader: DatasetReader; label: string } {
  if (files.length === 0) fail(USAGE);
  for (const file of files) if (!existsSync(file)) fail(`${file}: no such file or folder`);
  const [first] = files as [string];
  if (files.length === 1 && statSync(first).isDirectory()) {
    const companies = path.join(first, 'companies.csv');
    const deals = path.join(first, 'deals.csv');
    if (!existsSync(companies) && !existsSync(deals)) {
      fail(`${first}: holds neither companies.csv nor deals.csv`);
    }
    return {
      reader: csvReader({
        companies: existsSync(companies) ? companies : undefined,
        deals: existsSync(deals) ? deals : undefined,
      }),
      label: first,
    };
  }
  if (files.length === 1 && !first.toLowerCase().endsWith('.csv')) {
    return { reader: jsonFileReader(first), label: first };
  }
  const csv: { companies?: string; deals?: string } = {};
  for (const file of files) {
    const kind = csvKind(file);
    if (!kind) {
      fail(
        `${file}: a CSV file's name must end in companies.csv or deals.csv (a JSON dataset comes alone)`,
      );
    }
    if (csv[kind]) fail(`two ${kind} files: ${csv[kind]} and ${file}`);
    csv[kind] = file;
  }
  return { reader: csvReader(csv), label: files.join(' + ') };
}

const { reader, label } = readerFor(positionals);
const connection = await connect(loadConfig(), { reuseRunning: true });
const progress = new ProgressReporter(process.stderr);
const started = performance.now();
let exitCode = 0;
try {
  const report = await importFrom(connection.stores, reader, {
    dryRun: values['dry-run'],
    strict: values.strict,
    batchSize,
    onProgress: (p) => progress.update(p),
  });
  progress.end();
  for (const line of formatRejections(report.rejections)) console.error(line);
  const { companies, investments, commitments } = report.accepted;
  const verb = report.dryRun
    ? 'valid (dry run, nothing written)'
    : values.strict && report.rejections.length
      ? 'valid, but nothing written (--strict)'
      : 'imported';
  console.log(
    `${verb}: ${companies} companies, ${investments} investments, ${commitments} commitments; rejected: ${report.rejections.length}`,
  );
  const seconds = (performance.now() - started) / 1000;
  const records = companies + investments + commitments + report.rejections.length;
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.error(
    `took ${seconds.toFixed(1)} s (${Math.round(records / seconds).toLocaleString('en-US')} records/s); peak memory ${peakMb} MB`,
  );
  exitCode = report.rejections.length ? 1 : 0;
} catch (error) {
  progress.end();
  if (!(error instanceof DatasetError)) throw error;
  console.error(`${label}: ${error.message}`);
  exitCode = 2;
} finally {
  await connection.close();
}
process.exit(exitCode);
