/**
 * Authentication: who gets in. Anonymous callers reach only the explorer page, /health and /ready; a missing,
 * expired, malformed or wrongly signed token, one that lives too long or has a claim of the wrong type is 401
 * UNAUTHENTICATED. Production verifies RS256/ES256 against a JWKS and refuses to start with a weak HS256 secret.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW, createAuthenticator, DEFAULT_MAX_TOKEN_LIFETIME, DEV_IDENTITIES, DEV_JWT_SECRET, issueToken, jose, parseDuration } from '@ansinh/gateway';
import { TEST_JWT_SECRET, sharedSystem, tokenFor, type TestSystem } from './harness.js';

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem({ token: null }); });
afterAll(async () => { await t?.close(); });

const { exportJWK, generateKeyPair, SignJWT } = jose;
const QUERY = '{ unit(code: "775", on: "2022-06-01") { name } }';

describe('anonymous callers', () => {
  it('get 401 UNAUTHENTICATED for any operation, and no data', async () => {
    const res = await t.query(QUERY);
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('still get the explorer page, /health and /ready', async () => {
    expect((await fetch(t.url, { headers: { accept: 'text/html' } })).status).toBe(200);
    expect((await fetch(new URL('/health', t.url))).status).toBe(200);
    expect((await fetch(new URL('/ready', t.url))).status).toBe(200);
  });
});

describe('tokens the gateway refuses', () => {
  const wrongKey = 'another-secret-of-at-least-thirty-two-characters';
  it.each([
    ['no "Bearer"', async () => `Token ${await tokenFor('ADMIN')}`],
    ['malformed', async () => 'Bearer not.a.jwt'],
    ['expired', async () => `Bearer ${await issueToken({ sub: 'x', role: 'ADMIN', units: [] }, TEST_JWT_SECRET, { expiresIn: '-1m' })}`],
    ['signed with another key', async () => `Bearer ${await issueToken({ sub: 'x', role: 'ADMIN', units: [] }, wrongKey)}`],
    ['an unknown role', async () => `Bearer ${await new SignJWT({ role: 'SUPERUSER', units: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET))}`],
    ['an area role without units', async () => `Bearer ${await tokenFor('WARD_OFFICER', [])}`],
    ['units that are not unit codes', async () => `Bearer ${await tokenFor('WARD_OFFICER', ["775' or 1=1 --"])}`],
    ['no expiry', async () => `Bearer ${await new SignJWT({ role: 'ADMIN', units: [] }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuedAt().sign(new TextEncoder().encode(TEST_JWT_SECRET))}`],
    ['alg "none"', async () => `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', role: 'ADMIN', units: [], exp: 9e9 })).toString('base64url')}.`],
  ])('%s: 401 UNAUTHENTICATED', async (_, header) => {
    const res = await t.query(QUERY, {}, { authorization: await header() });
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a valid token gets its answer', async () => {
    const res = await t.query(QUERY, {}, { authorization: `Bearer ${await tokenFor('ANALYST')}` });
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ unit: { name: 'Quận 6' } });
  });
});

describe('production keys: RS256 and ES256 against a JWKS', () => {
  const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as never;

  it.each(['RS256', 'ES256'] as const)('%s from a JWKS document (JWKS_FILE)', async (alg) => {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg };
    const authenticate = createAuthenticator({ jwks: { keys: [jwk] }, issuer: 'https://id.example.vn', audience: 'ansinh' });
    const sign = (claims: object, issuer = 'https://id.example.vn') => new SignJWT(claims as never).setProtectedHeader({ alg, kid: 'k1' })
      .setSubject('u1').setIssuer(issuer).setAudience('ansinh').setIssuedAt().setExpirationTime('5m').sign(privateKey);
    expect(await authenticate(request(await sign({ role: 'HEALTH_OFFICER', units: ['775'] })))).toEqual({ sub: 'u1', role: 'HEALTH_OFFICER', units: ['775'] });
    await expect(authenticate(request(await sign({ role: 'ADMIN' }, 'https://elsewhere.example')))).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    // an HS256 token made with the public key as secret (algorithm confusion) is refused
    const confused = await new SignJWT({ role: 'ADMIN' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setSubject('u1').setIssuer('https://id.example.vn').setAudience('ansinh').setIssuedAt().setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    await expect(authenticate(request(confused))).rejects.toMatchObject({ status: 401 });
  });

  it('ES256 from a JWKS URL (JWKS_URL)', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k2', alg: 'ES256' }] });
    const server = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(jwks); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const authenticate = createAuthenticator({ jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` });
      const token = await new SignJWT({ role: 'ANALYST' }).setProtectedHeader({ alg: 'ES256', kid: 'k2' }).setSubject('u2').setIssuedAt().setExpirationTime('5m').sign(privateKey);
      expect(await authenticate(request(token))).toEqual({ sub: 'u2', role: 'ANALYST', units: [] });
    } finally {
      server.close();
    }
  });
});

describe('token lifetimes and claim types', () => {
  const key = new TextEncoder().encode(TEST_JWT_SECRET);
  const now = () => Math.floor(Date.now() / 1000);
  /** a token with exactly these claims (no defaults but the header) */
  const raw = (claims: Record<string, unknown>) => new SignJWT(claims as never).setProtectedHeader({ alg: 'HS256' }).sign(key);
  const base = () => ({ sub: 'u-1', role: 'ADMIN', units: [], iat: now() - 10, exp: now() + 3600 });
  const ask = async (token: string) => t.query(QUERY, {}, { authorization: `Bearer ${token}` });

  it.each([
    ['an exp in the year 2286', () => ({ ...base(), exp: 9_999_999_999 })],
    ['no iat', () => { const { iat: _, ...claims } = base(); return claims; }],
    ['a lifetime one second over 24 h', () => { const iat = now() - 10; return { ...base(), iat, exp: iat + DEFAULT_MAX_TOKEN_LIFETIME + 1 }; }],
    ['an iat two minutes ahead of the clock', () => ({ ...base(), iat: now() + 120, exp: now() + 3600 })],
    ['an iat older than the longest lifetime', () => ({ ...base(), iat: now() - DEFAULT_MAX_TOKEN_LIFETIME - 120, exp: now() + 60 })],
    ['a numeric sub', () => ({ ...base(), sub: 12345 })],
    ['an empty sub', () => ({ ...base(), sub: '' })],
    ['a sub with a NUL', () => ({ ...base(), sub: 'u\u0000-1' })],
    ['a numeric role', () => ({ ...base(), role: 7 })],
    ['units as a string', () => ({ ...base(), role: 'WARD_OFFICER', units: '27373' })],
    ['units null', () => ({ ...base(), units: null })],
    ['a numeric unit', () => ({ ...base(), role: 'WARD_OFFICER', units: [27373] })],
    ['a string exp', () => ({ ...base(), exp: String(now() + 3600) })],
    ['a string iat', () => ({ ...base(), iat: String(now()) })],
    ['a numeric iss', () => ({ ...base(), iss: 42 })],
    ['a numeric aud', () => ({ ...base(), aud: 42 })],
    ['a numeric jti', () => ({ ...base(), jti: 42 })],
  ])('%s: 401 UNAUTHENTICATED, no data', async (_, claims) => {
    const res = await ask(await raw(claims()));
    expect(res.status).toBe(401);
    expect(res.data).toBeUndefined();
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a lifetime of exactly 24 h', () => { const iat = now() - 10; return { ...base(), iat, exp: iat + DEFAULT_MAX_TOKEN_LIFETIME }; }],
    [`an iat ${CLOCK_SKEW} s ahead of the clock (the skew allowed)`, () => ({ ...base(), iat: now() + CLOCK_SKEW, exp: now() + 3600 })],
  ])('%s passes', async (_, claims) => {
    const res = await ask(await raw(claims()));
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ unit: { name: 'Quận 6' } });
  });

  it('the message says what is wrong', async () => {
    expect((await ask(await raw({ ...base(), exp: 9_999_999_999 }))).errors?.[0]?.message).toMatch(/^The token lives longer than 86400 s/);
    expect((await ask(await raw({ ...base(), sub: 12345 }))).errors?.[0]?.message).toBe('The token\'s "sub" claim must be a string of 1 to 255 characters, without control characters');
  });

  it('ANSINH_MAX_TOKEN_LIFETIME sets a shorter maximum (durations like 3600, 90m, 12h, 1d)', async () => {
    expect(['3600', '90m', '12h', '1d'].map((d) => parseDuration(d, 'X'))).toEqual([3600, 5400, 43_200, 86_400]);
    expect(() => parseDuration('12 hours', 'ANSINH_MAX_TOKEN_LIFETIME')).toThrow(/ANSINH_MAX_TOKEN_LIFETIME must be a duration/);
    const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET, maxTokenLifetime: 3600 });
    const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as never;
    const iat = now() - 10;
    await expect(authenticate(request(await raw({ ...base(), iat, exp: iat + 3600 })))).resolves.toMatchObject({ sub: 'u-1' });
    await expect(authenticate(request(await raw({ ...base(), iat, exp: iat + 3601 })))).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('issueToken, the tests\' tokenFor and the development tokens (12 h) fit the default maximum', async () => {
    const authenticate = createAuthenticator({ jwtSecret: TEST_JWT_SECRET });
    const request = (token: string) => ({ headers: { authorization: `Bearer ${token}` } }) as never;
    for (const identity of DEV_IDENTITIES) {
      await expect(authenticate(request(await issueToken(identity, TEST_JWT_SECRET)))).resolves.toEqual(identity);
    }
    await expect(authenticate(request(await tokenFor('ANALYST')))).resolves.toMatchObject({ role: 'ANALYST' });
  });
});

/** Runs a gateway script (`pnpm token`, the production gateway) as its own process. */
function runScript(script: string, args: string[], env: Record<string, string>, untilOutput?: RegExp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`../gateway/src/${script}`, import.meta.url)), ...args], {
      env: { PATH: process.env.PATH ?? '', APOLLO_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // a server that started: enough seen, stop it
      if (untilOutput?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    // never leave a process behind, whatever happens
    const stop = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code) => { clearTimeout(stop); resolve({ code, stdout, stderr }); });
  });
}

describe('pnpm token', () => {
  it('issues a token the gateway accepts', async () => {
    const { code, stdout } = await runScript('token.ts', ['WARD_OFFICER', '27373'], { JWT_SECRET: TEST_JWT_SECRET });
    expect(code).toBe(0);
    const res = await t.query(QUERY, {}, { authorization: `Bearer ${stdout.trim()}` });
    expect(res.status).toBe(200);
  }, 120_000);

  it('refuses to issue one that lives longer than the gateway accepts', async () => {
    const { code, stderr } = await runScript('token.ts', ['ADMIN'], { JWT_SECRET: TEST_JWT_SECRET, TOKEN_EXPIRES_IN: '25h' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/longer than the gateway accepts/);
  }, 120_000);
});

describe('production refuses a weak HS256 secret', () => {
  const production = { NODE_ENV: 'production', ANSINH_INTERNAL_SECRET: 'an-internal-secret-of-at-least-32-characters', HOST: '127.0.0.1', PORT: '0' };

  it.each([
    ['the published development secret', DEV_JWT_SECRET, /development secret published/],
    ['a secret of 31 bytes', 'x'.repeat(31), /at least 32 bytes, got 31/],
    ['a secret of 31 bytes in 16 characters', 'ă'.repeat(15) + 'x', /at least 32 bytes, got 31/],
  ])('the gateway does not start with %s', async (_, secret, message) => {
    // a gateway that started after all is stopped at once (and the test fails)
    const { code, stderr, stdout } = await runScript('main.ts', [], { ...production, JWT_SECRET: secret }, /gateway at/);
    expect(code).not.toBe(0);
    expect(stdout).not.toMatch(/gateway at/);
    expect(stderr).toMatch(message);
  }, 120_000);

  it('and starts with a secret of its own', async () => {
    const { stdout } = await runScript('main.ts', [], { ...production, JWT_SECRET: 'a-production-secret-of-32-bytes!' }, /gateway at/);
    expect(stdout).toMatch(/gateway at http:\/\/127\.0\.0\.1:\d+/);
  }, 120_000);

  it('outside production the development secret still works (pnpm start)', () => {
    expect(() => createAuthenticator({ jwtSecret: DEV_JWT_SECRET })).not.toThrow();
    expect(() => createAuthenticator({ jwtSecret: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
  });
});

describe('statistics: an analyst never sees a cell under 5 households', () => {
  const FIGURES = 'totalHouseholds poorHouseholds poorPersons poorRate nearPoorHouseholds nearPoorPersons nearPoorRate suppressed { field reason }';

  it('Quận 6 in 2022: every figure is large, so the analyst sees the published figures', async () => {
    const res = await t.query(`{ areaStatistics(unitCode: "775", year: 2022) { ${FIGURES} } }`, {}, { authorization: `Bearer ${await tokenFor('ANALYST')}` });
    const { suppressed, ...figures } = res.data.areaStatistics;
    // the year's small movements (e.g. no relapses) are withheld; the published figures are not
    expect(suppressed.map((s: { field: string }) => s.field).filter((f: string) => !f.startsWith('transitions.') && !['rolledUpHouseholds', 'awaitingReassignment'].includes(f))).toEqual([]);
    expect(figures).toEqual({
      totalHouseholds: 65_000, poorHouseholds: 1_429, poorPersons: 5_945, poorRate: 2.2,
      nearPoorHouseholds: 1_092, nearPoorPersons: 4_482, nearPoorRate: 1.68,
    });
  });

  it('Quận Hải An in 2022 (no poor household left): the analyst gets null with a reason, an officer gets 0', async () => {
    const query = `{ areaStatistics(unitCode: "306", year: 2022) { ${FIGURES} } }`;
    const analyst = (await t.query(query, {}, { authorization: `Bearer ${await tokenFor('ANALYST')}` })).data.areaStatistics;
    const officer = (await t.query(query, {}, { authorization: `Bearer ${await tokenFor('CITY_INTEGRATOR', ['31'])}` })).data.areaStatistics;
    expect(officer.poorHouseholds).toBe(0);
    expect(officer.suppressed).toEqual([]);
    expect([analyst.poorHouseholds, analyst.poorPersons, analyst.poorRate]).toEqual([null, null, null]);
    expect(analyst.suppressed).toEqual(expect.arrayContaining([{ field: 'poorHouseholds', reason: 'fewer than 5 households' }]));
  });

  it('across every ward of Quận 6 and Quận Hải An, 2021 and 2022, no figure the analyst sees is under 5', async () => {
    const analyst = { authorization: `Bearer ${await tokenFor('ANALYST')}` };
    const officer = { authorization: `Bearer ${await tokenFor('ADMIN')}` };
    let suppressed = 0;
    let small = 0;
    for (const [district, year] of [['775', 2021], ['775', 2022], ['306', 2021], ['306', 2022]] as const) {
      const wards = (await t.query(`{ unit(code: "${district}", on: "${year}-12-31") { children { code } } }`, {}, analyst)).data.unit.children as { code: string }[];
      // one request per caller for all of a district's wards (aliases), the same figures either way
      const q = `{ ${wards.map(({ code }) => `w${code}: areaStatistics(unitCode: "${code}", year: ${year}) { ${FIGURES} start { poorHouseholds nearPoorHouseholds }
        transitions { newlyPoor relapsedPoor newlyNearPoor relapsedNearPoor escapedPoverty escapedPovertyToNearPoor escapedNearPoverty } }`).join('\n')} }`;
      const [analystAnswer, officerAnswer] = [(await t.query(q, {}, analyst)).data, (await t.query(q, {}, officer)).data];
      for (const { code } of wards) {
        const [a, o] = [analystAnswer[`w${code}`], officerAnswer[`w${code}`]];
        const cells = (x: any) => ({
          totalHouseholds: x.totalHouseholds, poorHouseholds: x.poorHouseholds, nearPoorHouseholds: x.nearPoorHouseholds,
          startPoor: x.start.poorHouseholds, startNearPoor: x.start.nearPoorHouseholds, ...x.transitions,
        }) as Record<string, number | null>;
        const [ac, oc] = [cells(a), cells(o)];
        for (const key of Object.keys(oc)) {
          if (ac[key] !== null) expect(ac[key]).toBeGreaterThanOrEqual(5);
          if (oc[key]! < 5) { small += 1; expect(ac[key]).toBeNull(); }
        }
        suppressed += a.suppressed.length;
      }
    }
    // the check means something: the demo data has small cells that the officer sees and the analyst does not
    expect(small).toBeGreaterThan(0);
    expect(suppressed).toBeGreaterThan(0);
  });
});
