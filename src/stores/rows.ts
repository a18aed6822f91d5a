/**
 * What the stores return: plain objects, no driver types. The GraphQL types map onto these
 * (codegen.ts `mappers`), and field resolvers derive the rest.
 */
import type {
  CommitmentKind,
  DealStatus,
  InvestmentInstrument,
  Sector,
} from '../generated/graphql.js';
import type { SortKey } from './pagination.js';

export type DealType = 'INVESTMENT' | 'COMMITMENT';

export interface CompanyRow {
  id: string;
  name: string;
  /** 1 when created, one more with every write that changed it (stores/versions.ts). */
  version: number;
  aliases: string[];
  sectors: Sector[];
  country: string | null;
  website: string | null;
  parentId: string | null;
}

export interface QuantityRow {
  value: number;
  unit: string;
}

export interface DealRow {
  id: string;
  type: DealType;
  /** 1 when recorded, one more with every write that changed it (stores/versions.ts). */
  version: number;
  fromId: string;
  toId: string;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  quantity: QuantityRow | null;
  announcedOn: string | null;
  status: DealStatus;
  instrument: InvestmentInstrument | null;
  kind: CommitmentKind | null;
  term: string | null;
  note: string | null;
}

/** A deal a write deleted: which one, and its type. */
export interface DeletedDealRow {
  dealId: string;
  type: DealType;
}

export interface SourceRow {
  publisher: string;
  title: string | null;
  url: string | null;
  publishedOn: string | null;
}

export interface CompanyTotalsRow {
  investedUsd: number;
  investedUnknownCount: number;
  raisedUsd: number;
  raisedUnknownCount: number;
  committedUsd: number;
  committedUnknownCount: number;
  receivedUsd: number;
  receivedUnknownCount: number;
}

/** One page of a list, before it is shaped into a connection. */
export interface Page<T> {
  rows: T[];
  totalCount: number;
  /** Each row's sort key, for its cursor (pagination.ts); none for an empty page. */
  keys?: SortKey[];
  /** How many rows of the list come before this page. */
  before?: number;
}

/** A company reached by a relationship graph, and how many deal hops away. */
export interface GraphNodeRow extends CompanyRow {
  depth: number;
  /** The top-level parent's id (the company's own when it has no parent). */
  rootId: string;
  /** The totals, when they were read with the graph (the figures selected only). */
  totals?: CompanyTotalsRow;
}

/** One deal, or the deals of one kind from one company to another, as a graph edge. */
export interface GraphEdgeRow {
  id: string;
  source: string;
  target: string;
  type: DealType;
  kind: 'INVESTMENT' | CommitmentKind;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  unknownAmountCount: number;
  dealCount: number;
  dealIds: string[];
}
