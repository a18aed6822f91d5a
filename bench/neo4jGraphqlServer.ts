/**
 * The comparison server of `npm run bench:api`: @neo4j/graphql serving our Neo4j graph as it is
 * stored (the same labels and relationship types), on Apollo Server, in its own process.
 *
 *   NEO4J_URI=bolt://... NEO4J_PASSWORD=... PORT=4100 tsx bench/neo4jGraphqlServer.ts
 *
 * It maps only what the benchmark's nested query reads: companies with their parent, subsidiaries
 * and the total they invested, the deals they paid for (newest first) with the payee and sources.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Neo4jGraphQL } from '@neo4j/graphql';
import neo4j from 'neo4j-driver';

// Money flows (deal)-[:FROM]->(payer) and (deal)-[:TO]->(payee). @neo4j/graphql 7 models every
// relationship as a list, so the parent is a list of at most one.
const typeDefs = /* GraphQL */ `
  type Company @node(labels: ["Company"]) {
    id: ID!
    name: String!
    sectors: [String!]!
    parent: [Company!]! @relationship(type: "SUBSIDIARY_OF", direction: OUT)
    subsidiaries: [Company!]! @relationship(type: "SUBSIDIARY_OF", direction: IN)
    investmentsMade: [Investment!]! @relationship(type: "FROM", direction: IN)
    commitmentsMade: [CloudCommitment!]! @relationship(type: "FROM", direction: IN)
    investedUsd: Float!
      @cypher(
        statement: """
        MATCH (this)<-[:FROM]-(d:Investment)
        RETURN toFloat(sum(coalesce(d.amountUsd, 0))) AS total
        """
        columnName: "total"
      )
  }

  type Investment @node(labels: ["Investment"]) {
    id: ID!
    amountUsd: Float
    announcedKey: String
    status: String
    investee: [Company!]! @relationship(type: "TO", direction: OUT)
    sources: [Source!]! @relationship(type: "REPORTED_BY", direction: OUT)
  }

  type CloudCommitment @node(labels: ["CloudCommitment"]) {
    id: ID!
    kind: String
    amountUsd: Float
    announcedKey: String
    status: String
    provider: [Company!]! @relationship(type: "TO", direction: OUT)
    sources: [Source!]! @relationship(type: "REPORTED_BY", direction: OUT)
  }

  type Source @node(labels: ["Source"]) {
    publisher: String!
    title: String
  }
`;

const uri = process.env.NEO4J_URI;
if (!uri) throw new Error('NEO4J_URI is required.');
const driver = neo4j.driver(
  uri,
  neo4j.auth.basic(process.env.NEO4J_USER ?? 'neo4j', process.env.NEO4J_PASSWORD ?? ''),
  // The same pool size as our server's Database.
  { maxConnectionPoolSize: 50 },
);
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(process.env.PORT ?? 4100) },
});
console.log(`@neo4j/graphql ready at ${url}`);

const stop = (): void =>
  void server
    .stop()
    .then(() => driver.close())
    .finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
