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

export type DealType = 'INVESTMENT' | 'COMMITMENT';

export interface CompanyRow {
  id: string;
  name: string;
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
}
