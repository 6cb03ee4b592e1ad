/**
 * Per-client rate limiting, keyed by the verified token's subject, with rate-limiter-flexible's memory store: a
 * fixed window of `points` requests per `windowSeconds`. Over it: 429 RATE_LIMITED with Retry-After (seconds).
 * The store is per gateway process: with N replicas behind a balancer a client gets up to N × the limit (the
 * library's PostgreSQL or Redis stores share one count, at one round trip per request).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError, type ServiceMetrics } from '@ansinh/server';

export interface RateLimit {
  /** requests a client may make per window */
  points: number;
  windowSeconds: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { points: 600, windowSeconds: 60 };

/** ANSINH_RATE_LIMIT: `off`, or `<requests>/<seconds>` (default 600/60). */
export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimit | null {
  const raw = env.ANSINH_RATE_LIMIT?.trim();
  if (!raw) return DEFAULT_RATE_LIMIT;
  if (raw === 'off') return null;
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`ANSINH_RATE_LIMIT must be "off" or "<requests>/<seconds>" such as 600/60, got "${raw}"`);
  return { points: Number(m[1]), windowSeconds: Number(m[2]) };
}

/** The gateway's `admit` hook: counts the request against its caller's subject, refuses it over the limit. */
export function rateLimiter(limit: RateLimit, metrics?: ServiceMetrics) {
  const limiter = new RateLimiterMemory({ points: limit.points, duration: limit.windowSeconds, keyPrefix: 'ansinh-client' });
  return async ({ state }: { state: unknown }): Promise<void> => {
    const subject = (state as { identity?: { sub?: string } } | undefined)?.identity?.sub;
    if (!subject) return; // no caller yet (the explorer page): nothing to count against
    try {
      await limiter.consume(subject);
    } catch (result) {
      if (!(result instanceof RateLimiterRes)) throw result;
      metrics?.rateLimited.inc();
      const seconds = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
      throw new HttpError(429, 'RATE_LIMITED', `Too many requests from this client: at most ${limit.points} per ${limit.windowSeconds} s. Retry in ${seconds} s.`, { 'retry-after': String(seconds) });
    }
  };
}
