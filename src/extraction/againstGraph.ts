/**
 * The parser run against the graph: its companies as the gazetteer (CompanyStore.list, one
 * query), then the recorded deals that look like each draft (ExtractionStore, one query). Shared
 * by Query.extractDeals and `npm run extract`. No Cypher here: the stores have it.
 */
import type { CompanyStore } from '../stores/companyStore.js';
import type { ExtractionStore } from '../stores/extractionStore.js';
import type { DealRow } from '../stores/rows.js';
import { looksLikeSameDeal } from './existing.js';
import { extractDrafts, type DraftRow, type ExtractOptions } from './extract.js';
import { Gazetteer } from './gazetteer.js';
import { firstRows } from '../stores/pagination.js';

/** Most companies the gazetteer reads: the whole graph, far beyond today's size. */
export const GAZETTEER_MAX_COMPANIES = 100_000;

export interface DraftWithExisting extends DraftRow {
  existing: DealRow[];
}

export async function readGazetteer(companies: CompanyStore): Promise<Gazetteer> {
  const page = await companies.list({}, 'ID_ASC', firstRows(GAZETTEER_MAX_COMPANIES));
  return new Gazetteer(page.rows);
}

export async function extractAgainstGraph(
  stores: { companies: CompanyStore; extraction: ExtractionStore },
  text: string,
  options: ExtractOptions = {},
): Promise<DraftWithExisting[]> {
  const drafts = extractDrafts(text, await readGazetteer(stores.companies), options);
  // Only a draft whose two companies are both in the graph can have been recorded.
  const known = drafts.filter((d) => d.from.company && d.to.company);
  const recorded = await stores.extraction.dealsBetweenFamilies(
    known.map((d) => ({ type: d.type, fromId: d.from.company!.id, toId: d.to.company!.id })),
  );
  const existing = new Map<DraftRow, DealRow[]>(
    known.map((d, i) => [d, (recorded[i] ?? []).filter((deal) => looksLikeSameDeal(d, deal))]),
  );
  return drafts.map((d) => ({ ...d, existing: existing.get(d) ?? [] }));
}
