import type { Resolvers } from '../generated/graphql.js';
import { Company } from './Company.js';
import { CloudCommitment, Deal, Investment } from './Deal.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { PartialDate } from './scalars.js';

export const resolvers: Resolvers = {
  PartialDate,
  Query,
  Mutation,
  Company,
  Deal,
  Investment,
  CloudCommitment,
};
