/**
 * Authentication at the gateway with jose: a bearer JWT, HS256 with `JWT_SECRET` (development), or RS256/ES256
 * against a JWKS (`JWKS_FILE` or `JWKS_URL`, production). Claims: `sub`, `role`, `units` (unit codes).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { HttpError, isRole, ROLES, type Role } from '@ansinh/server';

/** The development secret `pnpm start` uses when JWT_SECRET is not set (never in production). */
export const DEV_JWT_SECRET = 'ansinh-development-secret-do-not-use-in-production';

export interface AuthOptions {
  /** HS256 secret */
  jwtSecret?: string;
  /** a JWKS document (RS256/ES256 public keys), as JSON */
  jwks?: { keys: unknown[] };
  /** where to fetch the JWKS from */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface Identity {
  sub: string;
  role: Role;
  units: string[];
}

/** The auth settings from the environment: JWKS_FILE / JWKS_URL (RS256, ES256), else JWT_SECRET (HS256). */
export function authOptionsFromEnv(): AuthOptions {
  const common = { issuer: process.env.JWT_ISSUER || undefined, audience: process.env.JWT_AUDIENCE || undefined };
  if (process.env.JWKS_FILE) return { ...common, jwks: JSON.parse(readFileSync(process.env.JWKS_FILE, 'utf8')) };
  if (process.env.JWKS_URL) return { ...common, jwksUrl: process.env.JWKS_URL };
  if (process.env.JWT_SECRET) return { ...common, jwtSecret: process.env.JWT_SECRET };
  if (process.env.NODE_ENV === 'production') {
    throw new Error('No token verification configured: set JWKS_FILE or JWKS_URL (RS256/ES256), or JWT_SECRET (HS256)');
  }
  return { ...common, jwtSecret: DEV_JWT_SECRET };
}

const unauthenticated = (message: string) =>
  new HttpError(401, 'UNAUTHENTICATED', message, { 'www-authenticate': 'Bearer realm="ansinh"' });

export type Authenticator = (req: IncomingMessage) => Promise<Identity>;

export function createAuthenticator(options: AuthOptions): Authenticator {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwks) {
    key = createLocalJWKSet(options.jwks as Parameters<typeof createLocalJWKSet>[0]);
    algorithms = ['RS256', 'ES256'];
  } else if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl));
    algorithms = ['RS256', 'ES256'];
  } else if (options.jwtSecret) {
    if (options.jwtSecret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
    key = new TextEncoder().encode(options.jwtSecret);
    algorithms = ['HS256'];
  } else {
    throw new Error('createAuthenticator: give jwtSecret, jwks or jwksUrl');
  }
  return async (req) => {
    const header = req.headers.authorization;
    if (!header) throw unauthenticated('Authentication required: send "Authorization: Bearer <token>"');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
    let payload;
    try {
      ({ payload } = await jwtVerify(match[1]!, key as Uint8Array, { algorithms, issuer: options.issuer, audience: options.audience, requiredClaims: ['exp', 'sub'] }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw unauthenticated(code === 'ERR_JWT_EXPIRED' ? 'The token has expired' : 'The token is not valid (malformed, wrongly signed or not for this API)');
    }
    if (!isRole(payload.role)) throw unauthenticated(`The token's "role" claim must be one of ${ROLES.join(', ')}`);
    const units = payload.units ?? [];
    if (!Array.isArray(units) || !units.every((u) => typeof u === 'string' && /^\d{2,5}$/.test(u))) {
      throw unauthenticated('The token\'s "units" claim must be a list of unit codes such as ["775"]');
    }
    const areaRole = payload.role !== 'ADMIN' && payload.role !== 'ANALYST';
    if (areaRole && units.length === 0) throw unauthenticated(`A ${payload.role} token needs the "units" of its area`);
    return { sub: payload.sub!, role: payload.role, units: units as string[] };
  };
}

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
