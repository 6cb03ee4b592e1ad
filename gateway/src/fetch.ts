/**
 * How the gateway fetches from a subgraph: undici's `request` on one kept-alive connection pool per subgraph origin,
 * under one deadline (the subgraph's timeout, and the client request's own deadline), timed into the gateway's
 * metrics, and retried with exponential backoff and jitter when the failure is one a second try can cure
 * (connection refused or reset, 502/503/504: a replica restarting or shutting down) and the fetch is a query.
 * A mutation is never retried: its first try may have written before the connection broke.
 */
import { Pool } from 'undici';
import { currentRequestScope, type ServiceMetrics } from '@ansinh/server';

/** What Apollo's RemoteGraphQLDataSource and the retry loop read of an answer (a subset of fetch's Response). */
export interface SubgraphResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: Headers;
  readonly body: { cancel(): Promise<void> } | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

class BufferedResponse implements SubgraphResponse {
  readonly ok: boolean;
  readonly body = { cancel: async () => {} };
  private cachedHeaders: Headers | undefined;
  constructor(readonly url: string, readonly status: number, readonly statusText: string, private readonly raw: IncomingHttpHeaders, private readonly bytes: Buffer) {
    this.ok = status >= 200 && status < 300;
  }
  get headers(): Headers {
    if (!this.cachedHeaders) {
      const h = new Headers();
      for (const [k, v] of Object.entries(this.raw)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
      this.cachedHeaders = h;
    }
    return this.cachedHeaders;
  }
  async text(): Promise<string> { return this.bytes.toString('utf8'); }
  async json(): Promise<unknown> { return JSON.parse(this.bytes.toString('utf8')); }
}

// one undici Pool per subgraph origin: kept-alive connections, as many as requests in flight (undici's default; the
// in-flight bounds of overload.ts limit them). Node's global fetch (undici too, but through web streams and the
// fetch spec's Request/Response objects) cost the gateway twice the CPU per subgraph fetch for a body that is one
// string each way; undici's `request` buffers it straight from the socket.
const pools = new Map<string, Pool>();
const parsedUrls = new Map<string, { origin: string; path: string }>();
function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) pools.set(origin, (pool = new Pool(origin)));
  return pool;
}

let observer: ((url: string, bodyBytes: number) => void) | undefined;
/** Calls `fn` with the URL and body size of every subgraph request (the bench's report of what the gateway sends). */
export function observeSubgraphRequests(fn: ((url: string, bodyBytes: number) => void) | undefined): void {
  observer = fn;
}

/**
 * One subgraph request by undici, answered as a buffered response. Fails as Node's fetch does, so that callers
 * tell the causes apart the same way: the signal's reason when it aborts (TimeoutError, AbortError), else a
 * TypeError "fetch failed" whose `cause` is undici's error (`code` ECONNREFUSED, UND_ERR_SOCKET, …).
 */
export function postToSubgraph(url: string, init: { method?: string; headers?: unknown; body?: unknown }, signal: AbortSignal): Promise<SubgraphResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let target = parsedUrls.get(url);
    if (!target) {
      const u = new URL(url);
      target = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (parsedUrls.size < 100) parsedUrls.set(url, target);
    }
    const body = typeof init.body === 'string' ? init.body : init.body === undefined || init.body === null ? '' : String(init.body);
    const headers: Record<string, string> = {};
    const given = init.headers as Record<string, string> | Headers | undefined;
    if (given instanceof Headers) given.forEach((v, k) => { headers[k] = v; });
    else if (given) for (const [k, v] of Object.entries(given)) headers[k.toLowerCase()] = String(v);
    if (observer) observer(url, Buffer.byteLength(body));
    const fail = (error: unknown) => reject(signal.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    poolFor(target.origin).request({ path: target.path, method: (init.method ?? 'POST') as 'POST', headers, body, signal }, (error, data) => {
      if (error) return fail(error);
      const chunks: Buffer[] = [];
      data.body.on('data', (c: Buffer) => chunks.push(c));
      data.body.on('end', () => resolve(new BufferedResponse(url, data.statusCode, data.statusText, data.headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))));
      data.body.on('error', fail);
    });
  });
}

export interface RetryPolicy {
  /** further tries after the first (0: none) */
  retries: number;
  /** the first backoff; each further one doubles, with jitter (0.5–1 ×) */
  baseDelayMs: number;
}

/** SUBGRAPH_RETRIES (default 2) and SUBGRAPH_RETRY_BASE_MS (default 50). */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const num = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got "${raw}"`);
    return n;
  };
  return { retries: num('SUBGRAPH_RETRIES', 2), baseDelayMs: num('SUBGRAPH_RETRY_BASE_MS', 50) };
}

const RETRY_STATUS = new Set([502, 503, 504]);
const RETRY_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** Whether a subgraph request body is a query (the gateway writes each fetch as `query …` or `mutation …`). */
export function isIdempotent(body: unknown): boolean {
  let text: unknown = body;
  // Apollo's data source writes {"query":"…", …} with the text first: no need to parse the whole body (representations)
  if (typeof body === 'string' && body.startsWith('{"query":"')) text = body.slice(10, 40);
  else if (typeof body === 'string') {
    try { text = (JSON.parse(body) as { query?: unknown }).query; } catch { return false; }
  }
  if (typeof text !== 'string') return false;
  const keyword = /^\s*(query|mutation|subscription)\b/.exec(text)?.[1];
  return keyword === undefined ? /^\s*\{/.test(text) : keyword === 'query';
}

/** A short label for a failed fetch: timeout, connection_refused, http_503, … */
export function failureReason(error: unknown): string {
  const e = error as Error & { cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  const code = e?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection_reset';
  return code ? code.toLowerCase() : 'error';
}

function retriable(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return code !== undefined && RETRY_CODES.has(code);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function subgraphFetcher(settings: { name: string; timeoutMs: number; retry: RetryPolicy; metrics?: ServiceMetrics }) {
  const { name, timeoutMs, retry, metrics } = settings;
  return async (url: string, init: RequestInit): Promise<SubgraphResponse> => {
    const started = Date.now();
    // the subgraph's timeout, and the client's request: its deadline or its client hanging up ends the fetch too
    const request = currentRequestScope();
    const deadline = request ? AbortSignal.any([AbortSignal.timeout(timeoutMs), request.signal]) : AbortSignal.timeout(timeoutMs);
    const idempotent = isIdempotent(init.body);
    const observe = (outcome: string) => metrics?.subgraphFetchDuration.observe({ subgraph: name, outcome }, (Date.now() - started) / 1000);
    for (let attempt = 0; ; attempt++) {
      const backoff = retry.baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
      const mayRetry = idempotent && attempt < retry.retries && Date.now() - started + backoff < timeoutMs;
      try {
        const res = await postToSubgraph(url, init, deadline);
        // an overloaded subgraph (503 with Retry-After) is not asked again at once: that would add to its load
        if (mayRetry && RETRY_STATUS.has(res.status) && !res.headers.has('retry-after')) {
          await res.body?.cancel();
          metrics?.subgraphRetries.inc({ subgraph: name });
          await sleep(backoff);
          continue;
        }
        if (!res.ok) metrics?.subgraphFetchErrors.inc({ subgraph: name, reason: `http_${res.status}` });
        observe(res.ok ? 'ok' : `http_${res.status}`);
        return res;
      } catch (error) {
        if (mayRetry && retriable(error)) {
          metrics?.subgraphRetries.inc({ subgraph: name });
          await sleep(backoff);
          continue;
        }
        const reason = failureReason(error);
        metrics?.subgraphFetchErrors.inc({ subgraph: name, reason });
        observe(reason);
        throw error;
      }
    }
  };
}
