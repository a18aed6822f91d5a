/**
 * Random industry graphs for the property tests: companies `c0..c<size-1>`, some under an earlier
 * one (never a loop), and deals between them (self-deals dropped), as the reference
 * (referenceFlows.ts) and the importer take them. Each test picks its sizes and value pools.
 */
import fc from 'fast-check';
import type { RefCompany, RefDeal } from './referenceFlows.js';

export interface RandomGraphOptions {
  size: { min: number; max: number };
  /** A company i > 0 gets a parent when a draw in 0..parentDraw is below parentBelow. */
  parentDraw: number;
  parentBelow: number;
  deals: { min: number; max: number };
  amounts: (number | null)[];
  statuses: string[];
  kinds: string[];
  dates: (string | null)[];
}

export function randomGraph(
  o: RandomGraphOptions,
): fc.Arbitrary<{ companies: RefCompany[]; deals: RefDeal[] }> {
  return fc
    .record({
      size: fc.integer(o.size),
      parents: fc.array(fc.integer({ min: 0, max: o.parentDraw }), {
        minLength: o.size.max,
        maxLength: o.size.max,
      }),
      deals: fc.array(
        fc.record({
          investment: fc.boolean(),
          from: fc.nat(),
          to: fc.nat(),
          amount: fc.constantFrom(...o.amounts),
          date: fc.constantFrom(...o.dates),
          status: fc.constantFrom(...o.statuses),
          kind: fc.constantFrom(...o.kinds),
        }),
        { minLength: o.deals.min, maxLength: o.deals.max },
      ),
    })
    .map(({ size, parents, deals }) => {
      const companies: RefCompany[] = Array.from({ length: size }, (_, i) => {
        const p = parents[i] as number;
        return i > 0 && p < o.parentBelow
          ? { id: `c${i}`, parentId: `c${p % i}` }
          : { id: `c${i}` };
      });
      const refDeals: RefDeal[] = deals
        .map((d, i) => ({
          id: `d${String(i).padStart(2, '0')}`,
          type: d.investment ? ('INVESTMENT' as const) : ('COMMITMENT' as const),
          from: `c${d.from % size}`,
          to: `c${d.to % size}`,
          amountUsd: d.amount,
          announcedOn: d.date,
          status: d.status,
          kind: d.investment ? null : d.kind,
        }))
        .filter((d) => d.from !== d.to);
      return { companies, deals: refDeals };
    });
}

/** A random graph in the documented import format (companies named by their id in capitals). */
export function importDataset(companies: RefCompany[], deals: RefDeal[]) {
  const sources = [{ publisher: 'Property test' }];
  const common = (d: RefDeal) => ({
    id: d.id,
    amountUsd: d.amountUsd,
    announcedOn: d.announcedOn,
    status: d.status,
    sources,
  });
  return {
    formatVersion: 1,
    companies: companies.map((c) => ({
      id: c.id,
      name: c.id.toUpperCase(),
      ...(c.parentId ? { parentId: c.parentId } : {}),
    })),
    investments: deals
      .filter((d) => d.type === 'INVESTMENT')
      .map((d) => ({ ...common(d), investorId: d.from, investeeId: d.to })),
    commitments: deals
      .filter((d) => d.type === 'COMMITMENT')
      .map((d) => ({ ...common(d), customerId: d.from, providerId: d.to, kind: d.kind })),
  };
}
