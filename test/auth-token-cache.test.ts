/**
 * The gateway keeps a verified client token for a minute (gateway/src/auth.ts) instead of verifying its signature on
 * every request: a token it has accepted is still refused once it expires, each request still gets an identity of
 * its own (the per-request internal token is keyed by it), and a token it refused is refused again.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, expect, it, vi } from 'vitest';
import { CLOCK_SKEW, createAuthenticator, issueToken, jose } from '@ansinh/gateway';
import { TEST_JWT_SECRET } from './harness.js';

const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as IncomingMessage;
afterEach(() => { vi.useRealTimers(); });

it('a kept token is refused once it has expired, and every request gets its own identity', async () => {
  const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET });
  // expired 10 s ago: still accepted within the clock skew (60 s), and kept
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({ role: 'WARD_OFFICER', units: ['27373'] }).setProtectedHeader({ alg: 'HS256' })
    .setSubject('cache-test').setIssuedAt(now - 20).setExpirationTime(now - 10).sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const first = await authenticate(request(token));
  const second = await authenticate(request(token));
  expect(second).toEqual({ sub: 'cache-test', role: 'WARD_OFFICER', units: ['27373'] });
  expect(second).not.toBe(first);
  expect(second.units).not.toBe(first.units);
  // 55 s later: past expiry and skew, but within the minute the verdict is kept; refused as jose refuses it
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime((now + CLOCK_SKEW - 5) * 1000);
  await expect(authenticate(request(token))).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: 'The token has expired' });
});

it('a refused token is refused again (nothing kept)', async () => {
  const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET });
  const forged = await issueToken({ sub: 'x', role: 'ADMIN', units: [] }, 'another-secret-of-at-least-thirty-two-characters');
  for (let i = 0; i < 2; i++) await expect(authenticate(request(forged))).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
});
