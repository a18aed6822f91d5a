/**
 * Live events (schema/live.graphql). `subscribe` checks the arguments as the matching query does
 * (cycleQuery for `circularDeals`, dealFilter for `deals`) and asks the hub for the stream;
 * `resolve` runs once per event, before its selection: each event is its own small request, so
 * it gets fresh loaders (primed with the deals the event may show that are already deleted), but
 * the deals of one batch's events are read once for every subscriber.
 */
import type { Context } from '../context.js';
import type {
  CycleEventResolvers,
  DealChangeResolvers,
  DealEventResolvers,
  ParentChangeResolvers,
  SubscriptionResolvers,
} from '../generated/graphql.js';
import { createLoaders } from '../loaders.js';
import { parseCycleCursor, parseDealCursor } from '../live/cursors.js';
import type { CycleEventRow, DealEventRow, LivePayload } from '../live/events.js';
import type { LiveHub } from '../live/hub.js';
import { dealFilter } from './args.js';
import { cycleQuery } from './flowArgs.js';
import { flowSuffix } from './Flows.js';

function hubOf(ctx: Context): LiveHub {
  // Subscriptions only run over the WebSocket server, which always puts the hub in the context.
  if (!ctx.live) throw new Error('subscriptions are served over WebSocket only');
  return ctx.live.hub;
}

/**
 * Per event: fresh loaders (the deals from the loader its batch's subscribers share), deleted
 * deals primed, backpressure checked, lag measured.
 */
function deliver<E>(payload: LivePayload<E>, ctx: Context): E {
  ctx.loaders = createLoaders(ctx.stores);
  if (payload.deals) ctx.loaders.deal = payload.deals;
  for (const deal of payload.goneDeals) ctx.loaders.deal.prime(deal.id, deal);
  hubOf(ctx).delivered(payload.committedAt, ctx.live?.connection);
  return payload.event;
}

export const Subscription: SubscriptionResolvers = {
  cycleEvents: {
    async subscribe(_, args, ctx) {
      const after = args.after ? parseCycleCursor(args.after) : undefined;
      const query = await cycleQuery(ctx.stores, args.where, null);
      return hubOf(ctx).cycleEvents(query, flowSuffix(query), after, ctx.live?.connection);
    },
    resolve: (payload: LivePayload<CycleEventRow>, _args: unknown, ctx: Context) =>
      deliver(payload, ctx),
  },
  dealEvents: {
    async subscribe(_, args, ctx) {
      const after = args.after ? parseDealCursor(args.after).seq : undefined;
      const filter = dealFilter(args.where);
      return hubOf(ctx).dealEvents(filter, after, ctx.live?.connection);
    },
    resolve: (payload: LivePayload<DealEventRow>, _args: unknown, ctx: Context) =>
      deliver(payload, ctx),
  },
};

/** A deal change is a cause; a parent change (REROOTED) is told as such; a bare flow refresh
 * (FLOWS) that no deal change explains is neither. */
const DEAL_KINDS: ReadonlySet<string> = new Set(['RECORDED', 'CHANGED', 'DELETED']);

export const CycleEvent: CycleEventResolvers = {
  cause: (event) => (DEAL_KINDS.has(event.cause.kind) ? event.cause : null),
  parentChange: (event) => (event.cause.kind === 'REROOTED' ? event.cause : null),
};

export const DealEvent: DealEventResolvers = {};

export const DealChange: DealChangeResolvers = {
  dealId: (c) => c.dealId as string,
  kind: (c) => c.kind as 'RECORDED' | 'CHANGED' | 'DELETED',
  type: (c) => c.type as 'INVESTMENT' | 'COMMITMENT',
  fromCompanyId: (c) => c.fromId as string,
  toCompanyId: (c) => c.toId as string,
  version: (c) => c.version ?? 0,
  deal: (c, _, { loaders }) =>
    c.kind === 'DELETED' || !c.dealId ? null : loaders.deal.load(c.dealId),
};

export const ParentChange: ParentChangeResolvers = {
  companyIds: (c) => c.roots,
};
