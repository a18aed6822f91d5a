/**
 * Every GraphQL document the explorer sends. The page shows nothing a query could not show.
 */

export const SEARCH = /* GraphQL */ `
  query ExplorerSearch($search: String!) {
    companies(where: { search: $search }, first: 8) {
      edges {
        node {
          id
          name
          aliases
          parent {
            id
            name
          }
        }
      }
    }
  }
`;

export const START = /* GraphQL */ `
  query ExplorerStart {
    companies(where: { topLevelOnly: true }, orderBy: { field: NAME }, first: 24) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;

export const GRAPH = /* GraphQL */ `
  query ExplorerGraph($companyIds: [ID!]!, $depth: Int!, $cycleMaxLength: Int!) {
    relationshipGraph(companyIds: $companyIds, depth: $depth, aggregate: true) {
      nodes {
        id
        companyId
        name
        sectors
        parentId
        depth
        totals {
          investedUsd
          raisedUsd
          committedUsd
          receivedUsd
          investedUnknownCount
          raisedUnknownCount
          committedUnknownCount
          receivedUnknownCount
        }
      }
      edges {
        id
        source
        target
        kind
        amountUsd
        amountIsUpperBound
        unknownAmountCount
        dealCount
        dealIds
      }
      cycles(maxLength: $cycleMaxLength) {
        key
        companyIds
        edgeIds
      }
    }
  }
`;

export const CYCLES = /* GraphQL */ `
  query ExplorerCycles($id: ID!, $where: CycleFilter) {
    company(id: $id) {
      id
      name
      cycles(where: $where, first: 50) {
        totalCount
        edges {
          node {
            id
            key
            length
            companies {
              id
              name
            }
            investedUsd
            investedUnknownCount
            committedUsd
            committedUnknownCount
            roundTripRatio
            roundTripRatioIsLowerBound
            bottleneckUsd
            bottleneckIsLowerBound
            firstDate
            lastDate
            timeRespecting
          }
        }
      }
    }
  }
`;

export const EDGE_DEALS = /* GraphQL */ `
  query ExplorerEdgeDeals($where: DealFilter!) {
    deals(where: $where, orderBy: { field: AMOUNT_USD, direction: DESC }, first: 100) {
      totalCount
      edges {
        node {
          __typename
          id
          amountUsd
          amountIsUpperBound
          quantity {
            value
            unit
          }
          announcedOn
          status
          note
          from {
            name
          }
          to {
            name
          }
          sources {
            publisher
            title
            url
            publishedOn
          }
          ... on CloudCommitment {
            kind
            term
          }
          ... on Investment {
            instrument
          }
        }
      }
    }
  }
`;

export const EXTRACT = /* GraphQL */ `
  query ExplorerExtract($text: String!, $source: SourceInput) {
    extractDeals(text: $text, source: $source) {
      drafts {
        type
        from {
          name
          company {
            id
            name
          }
          suggestedId
        }
        to {
          name
          company {
            id
            name
          }
          suggestedId
        }
        amountUsd
        amountIsUpperBound
        quantity {
          value
          unit
        }
        commitmentKind
        status
        announcedOn
        evidence {
          sentence
          start
          end
        }
        confidence
        problems
        existing {
          id
          amountUsd
          amountIsUpperBound
          announcedOn
          status
        }
      }
    }
  }
`;

export const RECORD_DRAFTS = /* GraphQL */ `
  mutation ExplorerRecordDrafts($input: [DealDraftInput!]!) {
    recordDrafts(input: $input) {
      __typename
      id
      from {
        id
        name
      }
      to {
        id
        name
      }
      amountUsd
      announcedOn
    }
  }
`;

// The shapes of the answers, as the documents above select them.

export interface SearchHit {
  id: string;
  name: string;
  aliases: string[];
  parent: { id: string; name: string } | null;
}

export interface Totals {
  investedUsd: number;
  raisedUsd: number;
  committedUsd: number;
  receivedUsd: number;
  investedUnknownCount: number;
  raisedUnknownCount: number;
  committedUnknownCount: number;
  receivedUnknownCount: number;
}

export interface GraphNode {
  /** Unique to this graph's arguments; `companyId` names the company (and the drawn node). */
  id: string;
  companyId: string;
  name: string;
  sectors: string[];
  /** A company id, like `companyId`, `GraphEdge.source` and `GraphEdge.target`. */
  parentId: string | null;
  depth: number;
  totals: Totals;
}

export type EdgeKind = 'INVESTMENT' | 'CLOUD' | 'HARDWARE' | 'CAPACITY';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  unknownAmountCount: number;
  dealCount: number;
  dealIds: string[];
}

export interface GraphCycle {
  /** `amazon>anthropic`: the same as `Cycle.key`. */
  key: string;
  companyIds: string[];
  edgeIds: string[];
}

export interface RelationshipGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Null (with an error) when the cycles could not be found, e.g. past the result cap. */
  cycles: GraphCycle[] | null;
}

export interface Cycle {
  id: string;
  /** `amazon>anthropic`, whatever the filter (the id carries a filter hash). */
  key: string;
  length: number;
  companies: { id: string; name: string }[];
  investedUsd: number;
  investedUnknownCount: number;
  committedUsd: number;
  committedUnknownCount: number;
  roundTripRatio: number | null;
  roundTripRatioIsLowerBound: boolean;
  bottleneckUsd: number | null;
  bottleneckIsLowerBound: boolean;
  firstDate: string | null;
  lastDate: string | null;
  timeRespecting: boolean;
}

export interface CompanyCycles {
  id: string;
  name: string;
  cycles: { totalCount: number; edges: { node: Cycle }[] } | null;
}

export interface Deal {
  __typename: 'Investment' | 'CloudCommitment';
  id: string;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  quantity: { value: number; unit: string } | null;
  announcedOn: string | null;
  status: string;
  note: string | null;
  from: { name: string };
  to: { name: string };
  sources: {
    publisher: string;
    title: string | null;
    url: string | null;
    publishedOn: string | null;
  }[];
  kind?: string;
  term?: string | null;
  instrument?: string | null;
}

export interface DraftParty {
  name: string;
  company: { id: string; name: string } | null;
  suggestedId: string | null;
}

export interface DealDraft {
  type: 'INVESTMENT' | 'COMMITMENT';
  from: DraftParty;
  to: DraftParty;
  amountUsd: number | null;
  amountIsUpperBound: boolean;
  quantity: { value: number; unit: string } | null;
  commitmentKind: string | null;
  status: string | null;
  announcedOn: string | null;
  /** `text.slice(start, end)` is the sentence, in UTF-16 code units. */
  evidence: { sentence: string; start: number; end: number };
  confidence: number;
  problems: string[];
  existing: {
    id: string;
    amountUsd: number | null;
    amountIsUpperBound: boolean;
    announcedOn: string | null;
    status: string;
  }[];
}

export interface RecordedDeal {
  __typename: 'Investment' | 'CloudCommitment';
  id: string;
  from: { id: string; name: string };
  to: { id: string; name: string };
  amountUsd: number | null;
  announcedOn: string | null;
}
