import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importDataset, type ImportReport } from './importDataset.js';
import type { Stores } from '../stores/index.js';

export const SEED_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../data/seed.json',
);

export function readSeed(): unknown {
  return JSON.parse(readFileSync(SEED_FILE, 'utf8'));
}

/** Loads data/seed.json; the server does so on a start against an empty database. */
export function importSeed(stores: Stores): Promise<ImportReport> {
  return importDataset(stores, readSeed(), { strict: true });
}
