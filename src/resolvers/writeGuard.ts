/**
 * The write guard, applied by construction: every field of the Mutation type, as the schema
 * files declare it, runs behind `requireAdmin`, whether or not its resolver remembers to check.
 * A new mutation is guarded the moment it is added to a schema file; test/writeGuard.test.ts
 * walks every Mutation field of the schema without a token to prove it.
 */
import { buildSchema, defaultFieldResolver, type GraphQLFieldResolver } from 'graphql';
import type { Context } from '../context.js';
import { ErrorCode, UserError } from '../errors.js';
import type { MutationResolvers } from '../generated/graphql.js';

/** Writes need the server's ADMIN_TOKEN as a bearer token. */
export function requireAdmin({ caller }: Context): void {
  if (!caller.writesEnabled) {
    throw new UserError(
      ErrorCode.MUTATIONS_DISABLED,
      'Writes are disabled on this server. Start it with ADMIN_TOKEN set (16+ characters) and send `Authorization: Bearer <ADMIN_TOKEN>`.',
    );
  }
  if (!caller.isAdmin) {
    throw new UserError(
      ErrorCode.UNAUTHENTICATED,
      caller.presentedToken
        ? "The bearer token is not this server's ADMIN_TOKEN."
        : 'This mutation needs `Authorization: Bearer <ADMIN_TOKEN>`.',
    );
  }
}

type Resolver = GraphQLFieldResolver<unknown, Context>;

/** The names of the Mutation type's fields, as the schema files declare them. */
export function mutationFieldNames(typeDefs: string): string[] {
  const mutation = buildSchema(typeDefs).getMutationType();
  return mutation ? Object.keys(mutation.getFields()) : [];
}

/**
 * A Mutation resolver map with one entry per Mutation field of `typeDefs`, each running
 * `requireAdmin` before the given resolver (or the default one, for a field that has none).
 */
export function guardMutations(typeDefs: string, resolvers: MutationResolvers): MutationResolvers {
  const given = resolvers as Record<string, Resolver | { resolve?: Resolver } | undefined>;
  const guarded: Record<string, Resolver> = {};
  for (const name of mutationFieldNames(typeDefs)) {
    const entry = given[name];
    const resolve: Resolver =
      typeof entry === 'function' ? entry : (entry?.resolve ?? defaultFieldResolver);
    guarded[name] = (source, args, context, info) => {
      requireAdmin(context);
      return resolve(source, args, context, info);
    };
  }
  for (const name of Object.keys(given)) {
    if (!(name in guarded)) throw new Error(`Mutation.${name} has a resolver but no schema field`);
  }
  return guarded as MutationResolvers;
}
