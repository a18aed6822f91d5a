import type {
  CloudCommitmentResolvers,
  DealResolvers,
  InvestmentResolvers,
} from '../generated/graphql.js';
import type { Context } from '../context.js';
import type { GraphQLResolveInfo } from 'graphql';
import type { CompanyRow, DealRow, SourceRow } from '../stores/rows.js';
import { readAhead } from './selection.js';

async function company(id: string, { loaders }: Context): Promise<CompanyRow> {
  const row = await loaders.company.load(id);
  // FROM and TO are written with the deal in one transaction and a company with deals cannot be
  // deleted, so a missing company is a broken invariant, not a user error.
  if (!row) throw new Error(`deal references missing company '${id}'`);
  return row;
}

type Side = 'fromId' | 'toId';

/** A deal's company on one side: read with the deal for a selection, or loaded. */
const side = (key: Side) => (deal: DealRow, _: unknown, ctx: Context, info: GraphQLResolveInfo) =>
  readAhead<CompanyRow>(deal, info)?.value ?? company(deal[key], ctx);
const from = side('fromId');
const to = side('toId');
const sources = (deal: DealRow, _: unknown, { loaders }: Context, info: GraphQLResolveInfo) =>
  readAhead<SourceRow[]>(deal, info)?.value ?? loaders.sources.load(deal.id);

export const Deal: DealResolvers = {
  __resolveType: (deal) => (deal.type === 'INVESTMENT' ? 'Investment' : 'CloudCommitment'),
};

export const Investment: InvestmentResolvers = {
  from,
  to,
  investor: from,
  investee: to,
  sources,
};

export const CloudCommitment: CloudCommitmentResolvers = {
  from,
  to,
  customer: from,
  provider: to,
  // Written as required for every commitment (validate.ts).
  kind: (deal) => deal.kind ?? 'CLOUD',
  sources,
};
