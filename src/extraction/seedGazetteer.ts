/**
 * A gazetteer of the seed dataset's companies (data/seed.json), for `npm run extract -- --seed`
 * and the benchmark: what the graph holds after `npm start`, without a database.
 */
import { readFileSync } from 'node:fs';
import { SEED_FILE } from '../importer/seed.js';
import { Gazetteer } from './gazetteer.js';
import type { CompanyRow } from '../stores/rows.js';
import type { Sector } from '../generated/graphql.js';

interface SeedCompany {
  id: string;
  name: string;
  aliases?: string[];
  sectors?: Sector[];
  country?: string;
  website?: string;
  parentId?: string;
}

export function seedCompanies(): CompanyRow[] {
  const seed = JSON.parse(readFileSync(SEED_FILE, 'utf8')) as { companies: SeedCompany[] };
  return seed.companies.map((c) => ({
    id: c.id,
    name: c.name,
    version: 1,
    aliases: c.aliases ?? [],
    sectors: c.sectors ?? [],
    country: c.country ?? null,
    website: c.website ?? null,
    parentId: c.parentId ?? null,
  }));
}

export function seedGazetteer(): Gazetteer {
  return new Gazetteer(seedCompanies());
}
