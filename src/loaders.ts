/**
 * Per-request DataLoaders: every nested field is fetched in one batched query per level, never
 * one query per parent. Created for each request, never shared between callers.
 */
import DataLoader from 'dataloader';
import type { Stores } from './stores/index.js';
import type { DealFilterParams, DealOrderKey, DealSide } from './stores/dealStore.js';
import type { PageRequest } from './stores/pagination.js';
import type { CompanyRow, CompanyTotalsRow, DealRow, Page, SourceRow } from './stores/rows.js';

export interface DealPageArgs {
  side: DealSide;
  filter: DealFilterParams;
  order: DealOrderKey;
  page: PageRequest;
}

export interface Loaders {
  company: DataLoader<string, CompanyRow | null>;
  subsidiaries: DataLoader<string, CompanyRow[]>;
  ultimateParentId: DataLoader<string, string | null>;
  totals: DataLoader<string, CompanyTotalsRow>;
  deal: DataLoader<string, DealRow | null>;
  sources: DataLoader<string, SourceRow[]>;
  /** One page of a company's deals; companies asked for with the same arguments share a query. */
  dealPage(companyId: string, args: DealPageArgs): Promise<Page<DealRow>>;
}

export function createLoaders(stores: Stores): Loaders {
  const dealPages = new Map<string, DataLoader<string, Page<DealRow>>>();
  return {
    company: new DataLoader((ids) => stores.companies.byIds(ids)),
    subsidiaries: new DataLoader((ids) => stores.companies.subsidiaries(ids)),
    ultimateParentId: new DataLoader((ids) => stores.companies.ultimateParentIds(ids)),
    totals: new DataLoader((ids) => stores.companies.totals(ids)),
    deal: new DataLoader((ids) => stores.deals.byIds(ids)),
    sources: new DataLoader((ids) => stores.deals.sources(ids)),
    dealPage(companyId, args) {
      const key = JSON.stringify(args);
      let loader = dealPages.get(key);
      if (!loader) {
        loader = new DataLoader((ids) =>
          stores.deals.pagesByCompany(ids, args.side, args.filter, args.order, args.page),
        );
        dealPages.set(key, loader);
      }
      return loader.load(companyId);
    },
  };
}
