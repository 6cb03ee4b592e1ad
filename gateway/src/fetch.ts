/**
 * How the gateway fetches from a subgraph: Node's fetch under one deadline (the subgraph's timeout), timed into
 * the gateway's metrics, and retried with exponential backoff and jitter when the failure is one a second try can
 * cure (connection refused or reset, 502/503/504: a replica restarting or shutting down) and the fetch is a query.
 * A mutation is never retried: its first try may have written before the connection broke.
 */
import { currentRequestScope, type ServiceMetrics } from '@ansinh/server';

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
  return async (url: string, init: RequestInit): Promise<Response> => {
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
        const res = await fetch(url, { ...init, signal: deadline });
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
