/**
 * Hive Gateway serving An Sinh Graph's committed supergraph, in place of our gateway (test/hive-gateway.test.ts
 * runs it). The subgraphs answer only requests that carry `x-ansinh-caller`: a short-lived HS256 JWT signed with
 * ANSINH_INTERNAL_SECRET (issuer ansinh-gateway, audience ansinh-subgraphs, claims sub, role, units, rid, op; see
 * packages/server/src/identity.ts). So a router in front of them must, for every subgraph request:
 *   1. verify the client's `Authorization: Bearer <JWT>` (here HS256 with JWT_SECRET; JWKS in production), and
 *   2. sign the internal token for that caller and send it as `x-ansinh-caller`, with the request id as `x-request-id`.
 * A client's own x-ansinh-caller is never passed on. Without a valid client token no header is sent, and the
 * subgraphs answer 401: the router fails closed.
 *
 *   hive-gateway supergraph supergraph.graphql -c gateway/hive/gateway.config.ts --port 4000
 *   (HOUSEHOLDS_URL, CREDIT_URL, HEALTH_URL, HOUSING_URL, JWT_SECRET, ANSINH_INTERNAL_SECRET in the environment)
 */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const ROLES = ['WARD_OFFICER', 'CITY_INTEGRATOR', 'CREDIT_OFFICER', 'HEALTH_OFFICER', 'HOUSING_OFFICER', 'ANALYST', 'ADMIN'];
const key = (secret: string | undefined, name: string) => {
  if (!secret || secret.length < 32) throw new Error(`${name} must be set (32+ characters)`);
  return new TextEncoder().encode(secret);
};
const clientKey = key(process.env.JWT_SECRET, 'JWT_SECRET');
const internalKey = key(process.env.ANSINH_INTERNAL_SECRET, 'ANSINH_INTERNAL_SECRET');

async function callerToken(authorization: string | null, requestId: string, operationName: string | null): Promise<string | undefined> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return undefined;
  try {
    const { payload } = await jwtVerify(match[1]!, clientKey, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
    const units = payload.units ?? [];
    if (typeof payload.role !== 'string' || !ROLES.includes(payload.role) || !Array.isArray(units)) return undefined;
    return await new SignJWT({ role: payload.role, units, rid: requestId, op: operationName })
      .setProtectedHeader({ alg: 'HS256' }).setSubject(payload.sub!).setIssuer('ansinh-gateway').setAudience('ansinh-subgraphs')
      .setIssuedAt().setExpirationTime('60s').sign(internalKey);
  } catch {
    return undefined;
  }
}

const url = (name: string) => process.env[`${name.toUpperCase()}_URL`];

export const gatewayConfig = {
  // where each subgraph answers (the supergraph's own URLs are the laptop's)
  transportEntries: Object.fromEntries(['households', 'credit', 'health', 'housing'].filter(url).map((name) => [name, { location: url(name) }])),
  propagateHeaders: {
    async fromClientToSubgraphs({ request, context }: { request: Request; context?: { params?: { operationName?: string | null } } }) {
      const requestId = request.headers.get('x-request-id') ?? randomUUID();
      const token = await callerToken(request.headers.get('authorization'), requestId, context?.params?.operationName ?? null);
      return token ? { 'x-ansinh-caller': token, 'x-request-id': requestId } : {};
    },
  },
};
