/**
 * Per-client rate limits. A client is its bearer token (hashed: the key is kept in memory and
 * must not hold secrets), else its address. Each client has a budget of points per window
 * (rate-limiter-flexible's in-memory limiter); a request costs one point, plus one per
 * `costUnit` of the cost the server estimated for it (src/http/queryLimits.ts), so that a page of
 * cycle searches weighs what it costs and a lookup weighs one.
 *
 * Past the budget: HTTP 429, `Retry-After`, and RATE_LIMITED. The check runs once the operation
 * is known and its cost estimated, before anything executes.
 */
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Request } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimits } from '../config.js';
import { ErrorCode, UserError } from '../errors.js';

/** What the plugin needs of the request context. */
export interface RateLimitedContext {
  client: string;
  cost: { estimate: number };
}

/** The key a request is counted under. */
export function clientKey(req: Pick<Request, 'headers' | 'ip' | 'socket'>): string {
  const auth = req.headers.authorization;
  const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
  if (token) return `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

export function rateLimitPlugin<TContext extends RateLimitedContext>(
  limits: RateLimits,
): ApolloServerPlugin<TContext> {
  const limiter = new RateLimiterMemory({
    points: limits.points,
    duration: limits.windowSeconds,
  });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue }) {
          const points = 1 + Math.floor(contextValue.cost.estimate / limits.costUnit);
          // A request over the whole budget can never pass: refused without draining the
          // client's budget, so its smaller requests still go through.
          if (points > limits.points) throw rateLimited(null, points, limits);
          try {
            await limiter.consume(contextValue.client, points);
          } catch (rejection) {
            if (!(rejection instanceof RateLimiterRes)) throw rejection;
            throw rateLimited(rejection, points, limits);
          }
        },
      };
    },
  };
}

function rateLimited(res: RateLimiterRes | null, points: number, limits: RateLimits): UserError {
  const tooBig = res === null;
  const retryAfterSeconds = tooBig
    ? limits.windowSeconds
    : Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new UserError(
    ErrorCode.RATE_LIMITED,
    tooBig
      ? `This request costs ${points} points, more than the ${limits.points} a client has per ${limits.windowSeconds} s; ask for less in one request.`
      : `Too many requests from this client (${limits.points} points per ${limits.windowSeconds} s, this one costs ${points}); retry after ${retryAfterSeconds} s.`,
    {
      retryAfterSeconds,
      points,
      limit: limits.points,
      windowSeconds: limits.windowSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  );
}
