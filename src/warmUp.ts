/**
 * The server's first request, asked of itself once it is up: the fields a client reads first,
 * answered by the per-field loaders (a new selection shape always is: selectionStore.ts,
 * readAhead). Neo4j plans a statement the first time it runs, a second or more each for some on a
 * small machine; after this, the fixed statements of the loaders and lists are planned, and a
 * client's first request of any shape pays for none of them. The cycle and path searches are
 * planned apart (CycleStore.plan). Over HTTP, like any client: the same limits and deadlines.
 */
const COMPANY_FIELDS = `
  id name version aliases sectors country website
  parent { id } ultimateParent { id } subsidiaries { id }
  totals {
    investedUsd investedUnknownCount raisedUsd raisedUnknownCount
    committedUsd committedUnknownCount receivedUsd receivedUnknownCount
  }`;

const COMMON_DEAL_FIELDS = `
  id version amountUsd amountIsUpperBound quantity { value unit } announcedOn status note
  sources { publisher title url publishedOn }`;
const INVESTMENT_FIELDS = `${COMMON_DEAL_FIELDS} instrument investor { id } investee { id }`;
const COMMITMENT_FIELDS = `${COMMON_DEAL_FIELDS} kind term customer { id } provider { id }`;
const DEAL_FIELDS = `${COMMON_DEAL_FIELDS} from { id } to { id }
  ... on Investment { instrument } ... on CloudCommitment { kind term }`;

export const WARM_UP_DOCUMENT = `query WarmUp {
  companies(first: 2) {
    totalCount
    edges { node {
      ${COMPANY_FIELDS}
      investmentsMade(first: 2) { totalCount edges { node { ${INVESTMENT_FIELDS} } } }
      investmentsReceived(first: 2) { totalCount edges { node { ${INVESTMENT_FIELDS} } } }
      commitmentsMade(first: 2) { totalCount edges { node { ${COMMITMENT_FIELDS} } } }
      commitmentsReceived(first: 2) { totalCount edges { node { ${COMMITMENT_FIELDS} } } }
    } }
  }
  deals(first: 2) { totalCount edges { node { ${DEAL_FIELDS} } } }
  search: companies(first: 2, where: { search: "a" }) { edges { node { id } } }
  company(id: "-") { id name }
  deal(id: "-") { ${DEAL_FIELDS} }
}`;

/** Asks the server at `url` the warm-up request; resolves with its time in milliseconds. */
export async function warmUp(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: WARM_UP_DOCUMENT }),
  });
  const body = (await response.json()) as { errors?: { message: string }[] };
  if (!response.ok || body.errors?.length)
    throw new Error(
      `warm-up request answered ${response.status}: ${body.errors?.[0]?.message ?? ''}`,
    );
  return performance.now() - started;
}
