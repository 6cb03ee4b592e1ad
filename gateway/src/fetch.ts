/**
 * How the gateway fetches from a subgraph: Node's fetch under one deadline (the subgraph's timeout), timed into
 * the gateway's metrics, and retried with exponential backoff and jitter when the failure is one a second try can
 * cure (connection refused or reset, 502/503/504: a replica restarting or shutting down) and the fetch is a query.
 * A mutation is never retried: its first try may have written before the connection broke.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
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

// kept-alive connections to the subgraphs (node:http; Node's fetch cost the gateway twice the CPU per subgraph fetch:
// web streams for a body that is one string each way)
const agents = { 'http:': new Agent({ keepAlive: true, scheduling: 'lifo' }), 'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }) };
const parsedUrls = new Map<string, URL>();
let observer: ((url: string, bodyBytes: number) => void) | undefined;
/** Calls `fn` with the URL and body size of every subgraph request (the bench's report of what the gateway sends). */
export function observeSubgraphRequests(fn: ((url: string, bodyBytes: number) => void) | undefined): void {
  observer = fn;
}

/**
 * One subgraph request by node:http, answered as a buffered response. Fails as Node's fetch does, so that callers
 * tell the causes apart the same way: the signal's reason when it aborts (TimeoutError, AbortError), else a
 * TypeError "fetch failed" whose `cause` is the socket's error (`code` ECONNREFUSED, ECONNRESET, …).
 */
export function postToSubgraph(url: string, init: { method?: string; headers?: unknown; body?: unknown }, signal: AbortSignal): Promise<SubgraphResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    let u = parsedUrls.get(url);
    if (!u) { u = new URL(url); if (parsedUrls.size < 100) parsedUrls.set(url, u); }
    const body = typeof init.body === 'string' ? init.body : init.body === undefined || init.body === null ? '' : String(init.body);
    const headers: Record<string, string> = {};
    const given = init.headers as Record<string, string> | Headers | undefined;
    if (given instanceof Headers) given.forEach((v, k) => { headers[k] = v; });
    else if (given) for (const [k, v] of Object.entries(given)) headers[k.toLowerCase()] = String(v);
    const bytes = Buffer.byteLength(body);
    headers['content-length'] = String(bytes);
    observer?.(url, bytes);
    const secure = u.protocol === 'https:';
    const fail = (error: unknown) => reject(signal.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    const req = (secure ? httpsRequest : httpRequest)({
      protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port || (secure ? 443 : 80), path: `${u.pathname}${u.search}`,
      method: init.method ?? 'POST', headers, agent: agents[secure ? 'https:' : 'http:'], signal,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new BufferedResponse(url, res.statusCode ?? 0, res.statusMessage ?? '', res.headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('the subgraph closed the connection mid-answer'), { code: 'ECONNRESET' })));
    });
    req.on('error', fail);
    req.end(body);
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
