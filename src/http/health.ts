/**
 * Probes for an orchestrator: /healthz says the process serves HTTP (restart it when it does
 * not); /readyz says Neo4j answers (send it traffic only then). /readyz answers within
 * READY_TIMEOUT_MS whatever state Neo4j is in, and concurrent probes share one query.
 */
import { Router } from 'express';
import type { Database } from '../neo4j/database.js';

export const READY_TIMEOUT_MS = 2_000;

export function healthRoutes(db: Database): Router {
  let inFlight: Promise<boolean> | undefined;
  const ready = (): Promise<boolean> => {
    inFlight ??= db.ping(READY_TIMEOUT_MS).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const neo4j = await ready();
    res.setHeader('cache-control', 'no-store');
    res.status(neo4j ? 200 : 503).json({ status: neo4j ? 'ready' : 'unavailable', neo4j });
  });
  return router;
}
