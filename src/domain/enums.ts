/**
 * The closed lists of the schema's enums, for validating input that does not come through
 * GraphQL (the bulk import). `satisfies` keeps them in step with the generated types.
 */
import type {
  CommitmentKind,
  DealStatus,
  InvestmentInstrument,
  Sector,
} from '../generated/graphql.js';

export const SECTORS = [
  'AI_LAB',
  'HYPERSCALER',
  'CLOUD_PROVIDER',
  'CHIPMAKER',
  'NEOCLOUD',
  'INVESTOR',
  'SOFTWARE',
  'CONSUMER_INTERNET',
  'NETWORKING',
  'OTHER',
] as const satisfies readonly Sector[];

export const DEAL_STATUSES = [
  'TALKS',
  'ANNOUNCED',
  'LETTER_OF_INTENT',
  'DEFINITIVE_AGREEMENT',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
] as const satisfies readonly DealStatus[];

export const INSTRUMENTS = [
  'EQUITY',
  'CONVERTIBLE_NOTE',
  'WARRANT',
  'DEBT',
  'LICENSE',
  'OTHER',
] as const satisfies readonly InvestmentInstrument[];

export const COMMITMENT_KINDS = [
  'CLOUD',
  'HARDWARE',
  'CAPACITY',
] as const satisfies readonly CommitmentKind[];

// Compile-time check that no enum value was forgotten.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
export const enumsComplete: [
  Missing<Sector, (typeof SECTORS)[number]>,
  Missing<DealStatus, (typeof DEAL_STATUSES)[number]>,
  Missing<InvestmentInstrument, (typeof INSTRUMENTS)[number]>,
  Missing<CommitmentKind, (typeof COMMITMENT_KINDS)[number]>,
] = [true, true, true, true];
