/**
 * Queries and dataset helpers shared by the API benchmarks (bench:api, bench:memory).
 */
import type { Dataset } from './syntheticIndustry.js';

/** Our nested relationship query: 50 companies, their corporate links, totals and latest deals. */
export const OURS_NESTED = `query Nested {
  companies(first: 50, orderBy: { field: ID }) {
    totalCount
    edges { node {
      id name sectors
      parent { id }
      subsidiaries { id }
      totals { investedUsd }
      investmentsMade(first: 5) {
        totalCount
        edges { node { id amountUsd announcedOn investee { id name } sources { publisher } } }
      }
      commitmentsMade(first: 5) {
        totalCount
        edges { node { id amountUsd kind provider { id name } sources { publisher } } }
      }
    } }
  }
}`;

export function graphQuery(companyId: string, depth: number): string {
  return `query Graph {
  relationshipGraph(companyIds: ["${companyId}"], depth: ${depth}, aggregate: true) {
    nodes { id name sectors parentId depth totals { investedUsd raisedUsd } }
    edges { id source target kind amountUsd unknownAmountCount dealIds }
  }
}`;
}

/** The company whose deal count is the dataset's median: a typical graph to draw. */
export function typicalCompany(dataset: Dataset): string {
  const degree = new Map<string, number>();
  for (const deal of [...dataset.investments, ...dataset.commitments]) {
    for (const side of ['investorId', 'investeeId', 'customerId', 'providerId']) {
      const id = deal[side];
      if (typeof id === 'string') degree.set(id, (degree.get(id) ?? 0) + 1);
    }
  }
  const ranked = [...degree].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return ranked[Math.floor(ranked.length / 2)]![0];
}
