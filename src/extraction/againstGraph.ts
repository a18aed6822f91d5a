/**
 * The parser run against the graph: its companies as the gazetteer (one query, with the company
 * store's row projection), then the recorded deals that look like each draft (ExtractionStore, one query). Shared
 * by Query.extractDeals and `npm run extract`. No Cypher here: the stores have it.
 */
import type { ExtractionStore } from '../stores/extractionStore.js';
import type { DealRow } from '../stores/rows.js';
import { looksLikeSameDeal } from './existing.js';
import { extractDrafts, type DraftRow, type ExtractOptions } from './extract.js';
import { Gazetteer } from './gazetteer.js';

export interface DraftWithExisting extends DraftRow {
  existing: DealRow[];
}

export async function readGazetteer(store: ExtractionStore): Promise<Gazetteer> {
  return new Gazetteer(await store.gazetteerCompanies());
}

export async function extractAgainstGraph(
  stores: { extraction: ExtractionStore },
  text: string,
  options: ExtractOptions = {},
): Promise<DraftWithExisting[]> {
  const drafts = extractDrafts(text, await readGazetteer(stores.extraction), options);
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
