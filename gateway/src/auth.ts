/**
 * Authentication at the gateway with jose: a bearer JWT, HS256 with `JWT_SECRET` (development), or RS256/ES256
 * against a JWKS (`JWKS_FILE` or `JWKS_URL`, production). Claims: `sub`, `role`, `units` (unit codes).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { hmacKey, HttpError, isRole, ROLES, type Role } from '@ansinh/server';

/** The development secret `pnpm start` uses when JWT_SECRET is not set (never in production). */
export const DEV_JWT_SECRET = 'ansinh-development-secret-do-not-use-in-production';

export interface AuthOptions {
  /** HS256 secret (32 bytes or more; never the development secret when NODE_ENV=production) */
  jwtSecret?: string;
  /** a JWKS document (RS256/ES256 public keys), as JSON */
  jwks?: { keys: unknown[] };
  /** where to fetch the JWKS from */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** the longest a token may live, `exp − iat`, in seconds (default 24 h: DEFAULT_MAX_TOKEN_LIFETIME) */
  maxTokenLifetime?: number;
}

/** The longest lifetime (`exp − iat`) a token may have unless ANSINH_MAX_TOKEN_LIFETIME says otherwise: 24 h. */
export const DEFAULT_MAX_TOKEN_LIFETIME = 24 * 60 * 60;
/** How far the identity provider's clock may be ahead of or behind ours, in seconds (`exp`, `nbf`, `iat`). */
export const CLOCK_SKEW = 60;

/** A duration as ANSINH_MAX_TOKEN_LIFETIME and TOKEN_EXPIRES_IN take it: seconds, or a number with s, m, h or d. */
export function parseDuration(text: string, name: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * { s: 1, m: 60, h: 3_600, d: 86_400 }[(match[2] ?? 's') as 's'] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1) throw new Error(`${name} must be a duration such as 3600, 90m, 12h or 1d, got "${text}"`);
  return seconds;
}

export interface Identity {
  sub: string;
  role: Role;
  units: string[];
}

/** The auth settings from the environment: JWKS_FILE / JWKS_URL (RS256, ES256), else JWT_SECRET (HS256). */
export function authOptionsFromEnv(): AuthOptions {
  const lifetime = process.env.ANSINH_MAX_TOKEN_LIFETIME;
  const common = {
    issuer: process.env.JWT_ISSUER || undefined, audience: process.env.JWT_AUDIENCE || undefined,
    maxTokenLifetime: lifetime ? parseDuration(lifetime, 'ANSINH_MAX_TOKEN_LIFETIME') : undefined,
  };
  if (process.env.JWKS_FILE) return { ...common, jwks: JSON.parse(readFileSync(process.env.JWKS_FILE, 'utf8')) };
  if (process.env.JWKS_URL) return { ...common, jwksUrl: process.env.JWKS_URL };
  if (process.env.JWT_SECRET) return { ...common, jwtSecret: process.env.JWT_SECRET };
  if (process.env.NODE_ENV === 'production') {
    throw new Error('No token verification configured: set JWKS_FILE or JWKS_URL (RS256/ES256), or JWT_SECRET (HS256)');
  }
  return { ...common, jwtSecret: DEV_JWT_SECRET };
}

/** a control character, or an unpaired surrogate (not Unicode text: PostgreSQL refuses it) */
const NOT_TEXT = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const unauthenticated = (message: string) =>
  new HttpError(401, 'UNAUTHENTICATED', message, { 'www-authenticate': 'Bearer realm="ansinh"' });

export type Authenticator = (req: IncomingMessage) => Promise<Identity>;

export function createAuthenticator(options: AuthOptions): Authenticator {
  let key: Uint8Array | CryptoKey | JWTVerifyGetKey;
  let algorithms: string[];
  let hmac: Promise<CryptoKey> | undefined;
  if (options.jwks) {
    key = createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
    algorithms = ['RS256', 'ES256'];
  } else if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (options.jwtSecret) {
    key = new TextEncoder().encode(options.jwtSecret);
    // HS256 with a short secret can be guessed offline from one token
    if (key.length < 32) throw new Error(`JWT_SECRET must be at least 32 bytes, got ${key.length}`);
    if (process.env.NODE_ENV === 'production' && options.jwtSecret === DEV_JWT_SECRET) {
      throw new Error('JWT_SECRET is the development secret published in the code and docs: anyone could sign tokens. Set a secret of your own (32+ bytes, e.g. `openssl rand -base64 48`) or JWKS_FILE / JWKS_URL');
    }
    algorithms = ['HS256'];
    // imported once as a WebCrypto key (jose would import the raw bytes on every request: identity.ts hmacKey)
    hmac = hmacKey(options.jwtSecret);
  } else {
    throw new Error('createAuthenticator: give jwtSecret, jwks or jwksUrl');
  }
  const maxLifetime = options.maxTokenLifetime ?? DEFAULT_MAX_TOKEN_LIFETIME;
  if (!Number.isSafeInteger(maxLifetime) || maxLifetime < 1) throw new Error(`maxTokenLifetime must be a positive number of seconds, got ${maxLifetime}`);
  // Tokens verified in full, by their text, for at most VERIFIED_TOKEN_TTL_MS: a client sends the same bearer token
  // with every request, and verifying its signature again each time was most of the gateway's CPU on a small query.
  // Only what changes with the clock is checked again on a hit (exp, the token's age); a bad token is never kept.
  // (A key dropped from a remote JWKS is honoured longer by jose's own key cache, 10 min, than by this one.)
  const verified = new LRUCache<string, { identity: Identity; exp: number; iat: number; until: number }>({ max: VERIFIED_TOKENS });
  return async (req) => {
    const header = req.headers.authorization;
    if (!header) throw unauthenticated('Authentication required: send "Authorization: Bearer <token>"');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    const token = match[1]!;
    const known = verified.get(token);
    if (known && Date.now() < known.until) {
      const now = Date.now() / 1000;
      // jose's own checks and messages: exp (with the skew), maxTokenAge (iat with the skew)
      if (known.exp <= now - CLOCK_SKEW) throw unauthenticated('The token has expired');
      if (now - known.iat - CLOCK_SKEW > maxLifetime) throw unauthenticated('The token\'s claims are not valid: "iat" claim timestamp check failed (too far in the past)');
      // a fresh object per request: the gateway keys its per-request internal token by it (gateway.ts)
      return { ...known.identity, units: [...known.identity.units] };
    }
    const result = await verifyFully(token);
    verified.set(token, { identity: { ...result.identity, units: [...result.identity.units] }, exp: result.exp, iat: result.iat, until: Date.now() + VERIFIED_TOKEN_TTL_MS });
    return result.identity;
  };

  async function verifyFully(token: string): Promise<{ identity: Identity; exp: number; iat: number }> {
    let payload;
    try {
      // maxTokenAge makes jose require `iat`, refuse one older than that and one in the future (beyond the skew)
      ({ payload } = await jwtVerify(token, (hmac ? await hmac : key) as Uint8Array, {
        algorithms, issuer: options.issuer, audience: options.audience, requiredClaims: ['exp', 'sub', 'iat'],
        maxTokenAge: maxLifetime, clockTolerance: CLOCK_SKEW,
      }));
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      if (code === 'ERR_JWT_EXPIRED') throw unauthenticated('The token has expired');
      // which claim is missing or wrong helps whoever issues tokens, and tells an attacker nothing
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw unauthenticated(`The token's claims are not valid: ${message}`);
      throw unauthenticated('The token is not valid (malformed, wrongly signed or not for this API)');
    }
    const { exp, iat } = payload as { exp: number; iat: number };
    if (exp - iat > maxLifetime) {
      throw unauthenticated(`The token lives longer than ${maxLifetime} s (exp − iat = ${exp - iat} s): ask for a shorter-lived token`);
    }
    // the subject is written to the access log: text, without control characters
    if (typeof payload.sub !== 'string' || payload.sub.length < 1 || payload.sub.length > 255 || NOT_TEXT.test(payload.sub)) {
      throw unauthenticated('The token\'s "sub" claim must be a string of 1 to 255 characters, without control characters');
    }
    for (const claim of ['iss', 'jti'] as const) {
      if (payload[claim] !== undefined && typeof payload[claim] !== 'string') throw unauthenticated(`The token's "${claim}" claim must be a string`);
    }
    if (payload.aud !== undefined && typeof payload.aud !== 'string' && !(Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === 'string'))) {
      throw unauthenticated('The token\'s "aud" claim must be a string or a list of strings');
    }
    if (!isRole(payload.role)) throw unauthenticated(`The token's "role" claim must be one of ${ROLES.join(', ')}`);
    const units = payload.units === undefined ? [] : payload.units;
    if (!Array.isArray(units) || !units.every((u) => typeof u === 'string' && /^\d{2,5}$/.test(u))) {
      throw unauthenticated('The token\'s "units" claim must be a list of unit codes such as ["775"]');
    }
    const areaRole = payload.role !== 'ADMIN' && payload.role !== 'ANALYST';
    if (areaRole && units.length === 0) throw unauthenticated(`A ${payload.role} token needs the "units" of its area`);
    return { identity: { sub: payload.sub, role: payload.role, units: units as string[] }, exp, iat };
  }
}

/** How many verified tokens the gateway keeps, and for how long each (then it verifies the token in full again). */
export const VERIFIED_TOKENS = 10_000;
export const VERIFIED_TOKEN_TTL_MS = 60_000;

/** Issues an HS256 token (development and tests; production tokens come from the identity provider). */
export async function issueToken(identity: Identity, secret: string, options: { expiresIn?: string; issuer?: string; audience?: string } = {}): Promise<string> {
  let jwt = new SignJWT({ role: identity.role, units: identity.units })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** The demo identities `pnpm start` prints tokens for. */
export const DEV_IDENTITIES: Identity[] = [
  { sub: 'dev-admin', role: 'ADMIN', units: [] },
  { sub: 'dev-ward-officer-27373', role: 'WARD_OFFICER', units: ['27373'] },
  { sub: 'dev-city-integrator-hcm', role: 'CITY_INTEGRATOR', units: ['79'] },
  { sub: 'dev-credit-officer-q6', role: 'CREDIT_OFFICER', units: ['775'] },
  { sub: 'dev-health-officer-q6', role: 'HEALTH_OFFICER', units: ['775'] },
  { sub: 'dev-housing-officer-q6', role: 'HOUSING_OFFICER', units: ['775'] },
  { sub: 'dev-analyst', role: 'ANALYST', units: [] },
];
