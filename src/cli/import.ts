/**
 * `npm run import -- FILE [--dry-run] [--strict] [--batch-size N]`
 *
 * Loads a dataset in the documented JSON format. Valid records are written in batched
 * transactions; every rejected record is listed with its reasons. `--dry-run` validates only
 * (references are checked against the database, nothing is written); `--strict` writes nothing
 * when any record is rejected. Exit code 0: all accepted; 1: some rejected; 2: unusable input.
 * Talks to NEO4J_URI, or to the local Neo4j of a running `npm start`, or starts the local one.
 */
import { readFileSync } from 'node:fs';
import { connect } from '../bootstrap.js';
import { fail, parseOrFail } from './args.js';
import { loadConfig } from '../config.js';
import { DatasetError, formatRejections, importDataset } from '../importer/importDataset.js';

const USAGE = 'usage: npm run import -- FILE [--dry-run] [--strict] [--batch-size N]';

const { values, positionals } = parseOrFail(
  {
    allowPositionals: true,
    options: {
      'dry-run': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '500' },
    },
  },
  USAGE,
);

const [file, ...rest] = positionals;
if (!file || rest.length) fail(USAGE);
const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
  fail('--batch-size must be an integer from 1 to 10000');
}

let data: unknown;
try {
  data = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  fail(`Cannot read ${file} as JSON: ${(error as Error).message}`);
}

const connection = await connect(loadConfig(), { reuseRunning: true });
let exitCode = 0;
try {
  const report = await importDataset(connection.stores, data, {
    dryRun: values['dry-run'],
    strict: values.strict,
    batchSize,
    onProgress: (line) => console.error(`  ${line}`),
  });
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
  exitCode = report.rejections.length ? 1 : 0;
} catch (error) {
  if (!(error instanceof DatasetError)) throw error;
  console.error(`${file}: ${error.message}`);
  exitCode = 2;
} finally {
  await connection.close();
}
process.exit(exitCode);
