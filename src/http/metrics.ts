/**
 * Prometheus metrics, served at /metrics: GraphQL requests and their latency by operation, errors
 * sent to clients by code, and the time of every Neo4j unit of work by statement name, next to
 * the process's own (memory, CPU, event-loop lag).
 *
 * Label values stay few: codes and statement names come from this code base; operation names
 * come from clients, so each is cut to 64 characters and only the first MAX_OPERATION_LABELS
 * distinct names get a series of their own (later ones share "other").
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LiveObserver } from '../live/hub.js';
import type { Database } from '../neo4j/database.js';

export const MAX_OPERATION_LABELS = 100;
const MAX_OPERATION_LABEL_LENGTH = 64;

/** Seconds; from a cached lookup to a slow path query. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface Metrics {
  registry: Registry;
  plugin: ApolloServerPlugin;
  /** Serves the registry in Prometheus' text format. */
  handler: RequestHandler;
  /** Counts an error sent to a client. */
  countError(code: string): void;
  /** Live events: subscriptions, connections, events published and their delivery lag. */
  live: LiveObserver;
  /** Stops recording (the Database outlives a stopped server in tests). */
  close(): void;
}

export function createMetrics(db: Database): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests answered, by operation name and outcome (success: no errors).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from receiving a GraphQL request to sending its response, by operation name.',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors sent to clients, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const neo4jTime = new Histogram({
    name: 'neo4j_query_duration_seconds',
    help: 'Time of each Neo4j unit of work (session open to close), by statement name and outcome.',
    labelNames: ['query', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  const liveSubscriptions = new Gauge({
    name: 'live_subscriptions',
    help: 'Active GraphQL subscriptions, by kind (cycles, deals).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const liveConnections = new Gauge({
    name: 'live_connections',
    help: 'Open GraphQL-over-WebSocket connections.',
    registers: [registry],
  });
  const livePublished = new Counter({
    name: 'live_events_published_total',
    help: 'Live events handed to subscribers, by kind (deal, cycle_formed, cycle_changed, cycle_broken): one per subscriber.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const liveLag = new Histogram({
    name: 'live_delivery_lag_seconds',
    help: 'Time from a write committing to its event being sent to a subscriber.',
    buckets: [0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const liveSlow = new Counter({
    name: 'live_slow_consumers_total',
    help: 'Subscribers disconnected because events piled up unread.',
    registers: [registry],
  });
  const liveSearches = new Counter({
    name: 'live_pair_searches_total',
    help: 'Changed company pairs the live cycle watches needed searched: run (a Neo4j search) or shared (answered by one run for another watch).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const live: LiveObserver = {
    subscriptions: (kind, delta) => liveSubscriptions.inc({ kind }, delta),
    connections: (delta) => liveConnections.inc(delta),
    published: (kind, subscribers) => {
      if (subscribers > 0) livePublished.inc({ kind }, subscribers);
    },
    delivered: (lag) => liveLag.observe(Math.max(lag, 0)),
    slowConsumer: () => liveSlow.inc(),
    sharedSearch: (ran) => liveSearches.inc({ outcome: ran ? 'run' : 'shared' }),
  };

  let recording = true;
  db.observe((name, seconds, failed) => {
    if (recording)
      neo4jTime.observe({ query: name, outcome: failed ? 'error' : 'success' }, seconds);
  });

  const knownOperations = new Set<string>();
  function operationLabel(name: string | null | undefined): string {
    if (name === undefined) return 'invalid';
    if (name === null || name === '') return 'anonymous';
    const label = name.slice(0, MAX_OPERATION_LABEL_LENGTH);
    if (knownOperations.has(label)) return label;
    if (knownOperations.size >= MAX_OPERATION_LABELS) return 'other';
    knownOperations.add(label);
    return label;
  }

  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, operation, response }) {
          // Before Apollo resolves an operation (a document that does not parse or validate)
          // there is no name to go by: "invalid".
          const label = operationLabel(operation ? operationName : undefined);
          const failed =
            response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
          requests.inc({ operation: label, outcome: failed ? 'error' : 'success' });
          latency.observe({ operation: label }, (performance.now() - started) / 1000);
        },
      };
    },
  };

  return {
    registry,
    plugin,
    handler: async (_req, res) => {
      res.setHeader('content-type', registry.contentType);
      res.send(await registry.metrics());
    },
    countError: (code) => errors.inc({ code }),
    live,
    close() {
      recording = false;
    },
  };
}
