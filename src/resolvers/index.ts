import type { Resolvers } from '../generated/graphql.js';
import { Company, CompanyAsOf } from './Company.js';
import { CloudCommitment, Deal, Investment } from './Deal.js';
import { CompanyCycles, DealCycle, FlowQuery, FlowStep, MoneyPath } from './Flows.js';
import { DealCycleConnection } from './DealCycleConnection.js';
import { ExtractionMutation, ExtractionQuery } from './Extraction.js';
import { DeletedDeal, Mutation } from './Mutation.js';
import { AsOfQuery, Query } from './Query.js';
import { CycleEvent, DealChange, DealEvent, ParentChange, Subscription } from './Subscription.js';
import { GraphNode, GraphQuery, RelationshipGraph } from './RelationshipGraph.js';
import { PartialDate } from './scalars.js';
import { guardMutations } from './writeGuard.js';
import { loadTypeDefs } from '../schema.js';

export const resolvers: Resolvers = {
  PartialDate,
  Query: { ...Query, ...FlowQuery, ...GraphQuery, ...ExtractionQuery, ...AsOfQuery },
  // Every Mutation field of the schema, guarded by construction (writeGuard.ts).
  Mutation: guardMutations(loadTypeDefs(), { ...Mutation, ...ExtractionMutation }),
  Company: { ...Company, ...CompanyCycles, ...CompanyAsOf },
  DealCycle,
  DealCycleConnection,
  MoneyPath,
  FlowStep,
  Deal,
  Investment,
  CloudCommitment,
  GraphNode,
  RelationshipGraph,
  DeletedDeal,
  Subscription,
  CycleEvent,
  DealEvent,
  DealChange,
  ParentChange,
};
