/**
 * Who is calling, as the subgraphs see it. The gateway verifies the client's token, then signs a short-lived
 * internal token (HS256, `ANSINH_INTERNAL_SECRET`, audience `ansinh-subgraphs`) carrying the caller; every
 * subgraph verifies it on every request and refuses a request without it (401 UNAUTHENTICATED).
 *
 * The access rules themselves are the small functions below (`callerMayReadIndividuals`, `callerSeesSensitive`,
 * …); each subgraph turns the caller's area into an SQL condition on its own rows.
 */
import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { GraphQLError } from 'graphql';

export const ROLES = ['WARD_OFFICER', 'CITY_INTEGRATOR', 'CREDIT_OFFICER', 'HEALTH_OFFICER', 'HOUSING_OFFICER', 'ANALYST', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The programme a subgraph serves; programme officers see the sensitive fields of their own programme only. */
export type Programme = 'households' | 'credit' | 'health' | 'housing';

export interface Caller {
  /** the token's subject (a user id) */
  sub: string;
  role: Role;
  /** codes of the administrative units that make the caller's area, e.g. ["775"] (all periods, and below) */
  units: string[];
  /** the gateway's request id */
  requestId: string;
  /** the client's operation name, when it gave one */
  operationName: string | null;
}

export const INTERNAL_HEADER = 'x-ansinh-caller';
const AUDIENCE = 'ansinh-subgraphs';
const ISSUER = 'ansinh-gateway';
/** Lifetime of an internal token: one request's worth. */
const INTERNAL_TTL_SECONDS = 60;

export function internalKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();
/**
 * The secret as a WebCrypto HMAC key, imported once per secret: jose imports a raw key on every call otherwise,
 * which made signing and verifying 3–6 times slower (about 1 ms each on the two-core machine under load).
 */
export function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', Buffer.from(secret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** The shared secret between gateway and subgraphs: `ANSINH_INTERNAL_SECRET`, or a fresh random one (one process). */
export function internalSecretFromEnv(generateIfMissing: boolean): string {
  const secret = process.env.ANSINH_INTERNAL_SECRET;
  if (secret) {
    if (secret.length < 32) throw new Error('ANSINH_INTERNAL_SECRET must be at least 32 characters');
    return secret;
  }
  if (generateIfMissing) return randomBytes(32).toString('base64url');
  throw new Error('ANSINH_INTERNAL_SECRET is not set: the gateway and the subgraphs need the same secret (32+ characters)');
}

const secretKeys = new Map<string, KeyObject>();
/** HMAC-SHA256 of `input` with the secret, by node:crypto: synchronous, about 5 µs (WebCrypto's job took 1 ms under load). */
function hs256(input: string, secret: string): string {
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return createHmac('sha256', key).update(input).digest('base64url');
}
const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const INTERNAL_JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256' }));
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * A JWT (HS256) of the caller, signed with node:crypto: a standard token (jose and any JWT library verify it), built
 * here because signing one per client request through WebCrypto was the gateway's largest CPU cost on a small query.
 */
export async function signInternalToken(caller: Caller, secret: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  const payload = { role: caller.role, units: caller.units, rid: caller.requestId, op: caller.operationName, sub: caller.sub, iss: ISSUER, aud: AUDIENCE, iat, exp: iat + INTERNAL_TTL_SECONDS };
  const signed = `${INTERNAL_JWT_HEADER}.${base64url(JSON.stringify(payload))}`;
  return `${signed}.${hs256(signed, secret)}`;
}

const decodePart = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/**
 * The caller an internal token names, or null when it is missing, expired, altered or not the gateway's: three
 * base64url parts, header `alg` HS256 (no `crit`), the signature compared in constant time, issuer, audience,
 * `exp` in the future (required), `nbf` passed, `iat` a number when present (jose's rules with no clock tolerance).
 */
export async function verifyInternalToken(token: string | undefined, secret: string): Promise<Caller | null> {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return null;
  const [header, body, signature] = parts as [string, string, string];
  const expected = Buffer.from(hs256(`${header}.${body}`, secret));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let h: { alg?: unknown; crit?: unknown; b64?: unknown } | null;
  let payload: Record<string, unknown> | null;
  try {
    h = decodePart(header) as typeof h;
    payload = decodePart(body) as typeof payload;
  } catch {
    return null;
  }
  if (!h || typeof h !== 'object' || h.alg !== 'HS256' || h.crit !== undefined || h.b64 !== undefined) return null;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const now = Math.floor(Date.now() / 1000);
  if (payload.iss !== ISSUER) return null;
  if (payload.aud !== AUDIENCE && !(Array.isArray(payload.aud) && payload.aud.includes(AUDIENCE))) return null;
  if (typeof payload.exp !== 'number' || payload.exp <= now) return null;
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now)) return null;
  if (payload.iat !== undefined && typeof payload.iat !== 'number') return null;
  const units = payload.units;
  if (typeof payload.sub !== 'string' || !isRole(payload.role) || !Array.isArray(units) || !units.every((u) => typeof u === 'string')) return null;
  return {
    sub: payload.sub,
    role: payload.role,
    units: units as string[],
    requestId: typeof payload.rid === 'string' ? payload.rid : '',
    operationName: typeof payload.op === 'string' ? payload.op : null,
  };
}

// ---- the access rules --------------------------------------------------------------------------------------

/** ADMIN reads everything, everywhere; everyone else only within their area. */
export const callerSeesEverywhere = (caller: Caller) => caller.role === 'ADMIN';

/** Individual records (households, members, loans, cards, supports): every role but ANALYST. */
export const callerMayReadIndividuals = (caller: Caller) => caller.role !== 'ANALYST';

/** Unmasked sensitive fields of a programme: ADMIN, the area officers (ward, city), and that programme's officer. */
export function callerSeesSensitive(caller: Caller, programme: Programme): boolean {
  switch (caller.role) {
    case 'ADMIN':
    case 'WARD_OFFICER':
    case 'CITY_INTEGRATOR':
      return true;
    case 'CREDIT_OFFICER':
      return programme === 'credit';
    case 'HEALTH_OFFICER':
      return programme === 'health';
    case 'HOUSING_OFFICER':
      return programme === 'housing';
    default:
      return false;
  }
}

/** Exact statistics; ANALYST gets figures under `SMALL_CELL` suppressed. */
export const callerSeesSmallCells = (caller: Caller) => caller.role !== 'ANALYST';
export const SMALL_CELL = 5;

export const callerMayReadAccessLog = (caller: Caller) => caller.role === 'ADMIN';

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** Throws FORBIDDEN unless the caller may read individual records. */
export function requireIndividuals(caller: Caller): void {
  if (!callerMayReadIndividuals(caller)) throw forbidden(`The ${caller.role} role may read area statistics only, not individual records`);
}

/** `0790******12`: the first 4 and last 2 characters kept, the rest starred (short values are starred whole). */
export function maskIdentifier(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value.length <= 6) return '*'.repeat(value.length);
  return value.slice(0, 4) + '*'.repeat(value.length - 6) + value.slice(-2);
}
