import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { importDataset, type ImportReport } from './importDataset.js';
import type { Stores } from '../stores/index.js';

export const SEED_FILE = path.join(PROJECT_ROOT, 'data/seed.json');

export function readSeed(): unknown {
  return JSON.parse(readFileSync(SEED_FILE, 'utf8'));
}

/** Loads data/seed.json; the server does so on a start against an empty database. */
export function importSeed(stores: Stores): Promise<ImportReport> {
  return importDataset(stores, readSeed(), { strict: true });
}
