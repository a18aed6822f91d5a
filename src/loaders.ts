/**
 * Per-request DataLoaders: every nested field is fetched in one batched query per level, never
 * one query per parent. Created for each request, never shared between callers. (Below
 * `companies`, fields usually come read ahead with the page instead: resolvers/selection.ts.)
 */
import DataLoader from 'dataloader';
import type { Stores } from './stores/index.js';
import type { DealFilterParams, DealOrderKey, DealSide } from './stores/dealStore.js';
import type { PageRequest } from './stores/pagination.js';
import type { CompanyRow, CompanyTotalsRow, DealRow, Page, SourceRow } from './stores/rows.js';
import { selectionKey, type CompanySelection } from './stores/selectionStore.js';

export interface DealPageArgs {
  side: DealSide;
  filter: DealFilterParams;
  order: DealOrderKey;
  page: PageRequest;
}

export interface Loaders {
  company: DataLoader<string, CompanyRow | null>;
  subsidiaries: DataLoader<string, CompanyRow[]>;
  /** The top-level parent (null for a company that has none or does not exist). */
  ultimateParent: DataLoader<string, CompanyRow | null>;
  totals: DataLoader<string, CompanyTotalsRow>;
  deal: DataLoader<string, DealRow | null>;
  sources: DataLoader<string, SourceRow[]>;
  /** One page of a company's deals; companies asked for with the same arguments share a query. */
  dealPage(companyId: string, args: DealPageArgs): Promise<Page<DealRow>>;
  /**
   * A company with what `selection` reads below it (SelectionStore); companies asked for with
   * the same selection share a query.
   */
  companySelected(id: string, selection: CompanySelection): Promise<CompanyRow | null>;
}

/** Groups of keys that share a query: the keys of one group, and what they share. */
function groupBy<K, S>(keys: readonly K[], group: (key: K) => string, shared: (key: K) => S) {
  const groups = new Map<string, { shared: S; keys: K[] }>();
  for (const key of keys) {
    const name = group(key);
    const entry = groups.get(name) ?? { shared: shared(key), keys: [] };
    entry.keys.push(key);
    groups.set(name, entry);
  }
  return [...groups.values()];
}

interface DealPageKey {
  companyId: string;
  args: DealPageArgs;
  /** `args` as JSON: the group a key belongs to. */
  group: string;
}

/**
 * The deal pages of one request level: one query per distinct set of arguments (a company's four
 * deal connections are four groups), run together and all answered at once. Answering them at
 * once matters: the fields below them that still need a query (a payee's parent, ...) then load in
 * one batch per kind, where a group that came back early would start batches of its own. Each
 * page brings its deals' companies and sources, which prime those loaders.
 */
async function loadDealPages(
  stores: Stores,
  loaders: Pick<Loaders, 'company' | 'sources'>,
  keys: readonly DealPageKey[],
): Promise<(Page<DealRow> | Error)[]> {
  const answers = new Map<string, Page<DealRow> | Error>();
  await Promise.all(
    groupBy(
      keys,
      (k) => k.group,
      (k) => k.args,
    ).map(async ({ shared: args, keys: members }) => {
      const group = members[0]!.group;
      const companyIds = members.map((k) => k.companyId);
      try {
        const pages = await stores.deals.pagesByCompany(
          companyIds,
          args.side,
          args.filter,
          args.order,
          args.page,
        );
        companyIds.forEach((id, i) => {
          const { related, ...page } = pages[i]!;
          // The page's companies and sources came with it: their fields need no query.
          for (const deal of related) {
            for (const company of deal.companies) loaders.company.prime(company.id, company);
            loaders.sources.prime(deal.dealId, deal.sources);
          }
          answers.set(`${group}\n${id}`, page);
        });
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const id of companyIds) answers.set(`${group}\n${id}`, failure);
      }
    }),
  );
  return keys.map((key) => answers.get(`${key.group}\n${key.companyId}`)!);
}

export function createLoaders(stores: Stores): Loaders {
  const company = new DataLoader((ids: readonly string[]) => stores.companies.byIds(ids));
  const sources = new DataLoader((ids: readonly string[]) => stores.deals.sources(ids));
  const dealPages = new DataLoader<DealPageKey, Page<DealRow>, string>(
    (keys) => loadDealPages(stores, { company, sources }, keys),
    { cacheKeyFn: (key) => `${key.group}\n${key.companyId}` },
  );
  const companiesSelected = new DataLoader<
    { id: string; selection: CompanySelection; group: string },
    CompanyRow | null,
    string
  >(
    async (keys) => {
      const rows = new Map<string, CompanyRow | null>();
      const groups = groupBy(
        keys,
        (k) => k.group,
        (k) => k.selection,
      );
      await Promise.all(
        groups.map(async ({ shared: selection, keys: members }) => {
          const ids = members.map((k) => k.id);
          // Plain rows while the selection's statement is being planned: the field resolvers
          // then load what is below them.
          const found =
            (await stores.selections.companiesByIds(ids, selection)) ??
            (await stores.companies.byIds(ids));
          ids.forEach((id, i) => rows.set(`${members[i]!.group}\n${id}`, found[i] ?? null));
        }),
      );
      return keys.map((k) => rows.get(`${k.group}\n${k.id}`) ?? null);
    },
    { cacheKeyFn: (key) => `${key.group}\n${key.id}` },
  );
  return {
    companySelected: (id, selection) =>
      companiesSelected.load({ id, selection, group: selectionKey(selection) }),
    company,
    subsidiaries: new DataLoader((ids) => stores.companies.subsidiaries(ids)),
    ultimateParent: new DataLoader((ids) => stores.companies.ultimateParents(ids)),
    totals: new DataLoader((ids) => stores.companies.totals(ids)),
    deal: new DataLoader((ids) => stores.deals.byIds(ids)),
    sources,
    dealPage: (companyId, args) => dealPages.load({ companyId, args, group: JSON.stringify(args) }),
  };
}
