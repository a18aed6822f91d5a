/**
 * The explorer's one way to the server: POST /graphql, as any frontend would. Failures are sorted
 * into what the page shows: the server refused the request (its message), the company does not
 * exist, or the server (or its database) cannot be reached.
 */

export type ApiFailureKind = 'refused' | 'not-found' | 'outage';

export class ApiFailure extends Error {
  constructor(
    readonly kind: ApiFailureKind,
    message: string,
    readonly code?: string,
    /** BAD_USER_INPUT's `extensions.problems`: which field, and what is wrong with it. */
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

export interface Problem {
  field: string;
  message: string;
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string; problems?: Problem[] };
}

/** Codes that mean "try again later", not "change the request". */
const OUTAGE_CODES = new Set(['DATABASE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);

const ENDPOINT = '/graphql';

function failure(error: GraphQLError, status: number): ApiFailure {
  const code = error.extensions?.code;
  if (code === 'NOT_FOUND') return new ApiFailure('not-found', error.message, code);
  if (code !== undefined && OUTAGE_CODES.has(code)) {
    return new ApiFailure('outage', error.message, code);
  }
  if (status >= 500 && code === undefined) return new ApiFailure('outage', error.message);
  const problems = Array.isArray(error.extensions?.problems) ? error.extensions.problems : [];
  return new ApiFailure('refused', error.message, code, problems);
}

export interface PartialResult<T> {
  data: T;
  /** The errors of fields that failed on their own (null in `data`); the rest is there. */
  errors: ApiFailure[];
}

/**
 * Sends a query; resolves with whatever data came back and the errors of the fields that failed
 * on their own. Rejects with an ApiFailure when nothing came back. `token`: sent as
 * `Authorization: Bearer <token>` (writes need it).
 */
export async function graphqlPartial<T>(
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
  token?: string,
): Promise<PartialResult<T>> {
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiFailure('outage', 'The server cannot be reached. Is it running?');
  }
  let body: { data?: T | null; errors?: GraphQLError[] } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  const errors = (body?.errors ?? []).map((error) => failure(error, response.status));
  if (body?.data) return { data: body.data, errors };
  if (errors[0]) throw errors[0];
  throw new ApiFailure(
    'outage',
    `The server answered ${response.status} ${response.statusText || ''}`.trim() + '.',
  );
}

/** Sends a query; rejects with an ApiFailure on any error. */
export async function graphql<T>(
  query: string,
  variables: Record<string, unknown>,
  signal?: AbortSignal,
  token?: string,
): Promise<T> {
  const { data, errors } = await graphqlPartial<T>(query, variables, signal, token);
  if (errors[0]) throw errors[0];
  return data;
}
