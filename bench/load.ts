/**
 * The load generator of `npm run bench:api`, run as its own process so that it never shares an
 * event loop with the server it measures. Reads a LoadSpec as JSON on stdin, runs autocannon
 * against a loopback URL for a fixed time, and prints one JSON line (LoadResult) on stdout.
 */
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  /** The GraphQL request body (JSON text). */
  body: string;
  /** The exact response expected for every request; any other counts as a mismatch. */
  expectBody: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Responses that were not 2xx, failed connections, time-outs, and 2xx bodies that differed. */
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Status codes seen, and the start of the first response that differed, for a diagnosis. */
  statusCodes: Record<string, number>;
  firstMismatch: string | null;
}

let firstMismatch: string | null = null;

function run(spec: LoadSpec, seconds: number): Promise<autocannon.Result> {
  const { hostname } = new URL(spec.url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
    throw new Error(`refusing to load ${spec.url}: the benchmark only targets loopback`);
  }
  return autocannon({
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: spec.body,
    verifyBody: (body) => {
      if (body === spec.expectBody) return true;
      firstMismatch ??= String(body).slice(0, 500);
      return false;
    },
    connections: spec.connections,
    duration: seconds,
    timeout: 30,
  });
}

// The spec comes on stdin: an expected body can be larger than a command line may be.
let input = '';
for await (const chunk of process.stdin) input += String(chunk);
const spec = JSON.parse(input) as LoadSpec;
if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds);
firstMismatch = null;
const result = await run(spec, spec.durationSeconds);
const output: LoadResult = {
  requestsPerSecond: result.requests.average,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  requests: result.requests.total,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  mismatches: result.mismatches,
  statusCodes: Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
  ),
  firstMismatch,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
