/**
 * Peer (b) of the bench: plain @apollo/gateway. An ApolloServer (standalone HTTP server) with an ApolloGateway on
 * the committed supergraph, whose RemoteGraphQLDataSource verifies the client's token and forwards the caller as our
 * subgraphs require (x-ansinh-caller, signed per request, as gateway/hive/gateway.config.ts does for Hive Gateway).
 * No operation limits, no metrics, no access log lines: what the Apollo libraries cost by themselves.
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { jwtVerify, SignJWT } from 'jose';
import { SUPERGRAPH_FILE } from '@ansinh/gateway';

const clientKey = new TextEncoder().encode(process.env.JWT_SECRET!);
const internalKey = new TextEncoder().encode(process.env.ANSINH_INTERNAL_SECRET!);
interface Ctx { token?: string }

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(SUPERGRAPH_FILE, 'utf8'),
  buildService: ({ name }) => new (class extends RemoteGraphQLDataSource<Ctx> {
    override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<Ctx>['willSendRequest']>>[0]) {
      if (context.token) request.http?.headers.set('x-ansinh-caller', context.token);
    }
  })({ url: process.env[`${name.toUpperCase()}_URL`] }),
});
const server = new ApolloServer<Ctx>({ gateway, plugins: [ApolloServerPluginUsageReportingDisabled()], csrfPrevention: false });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env.PORT), host: '127.0.0.1' },
  context: async ({ req }) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return {};
    try {
      const { payload } = await jwtVerify(match[1]!, clientKey, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      const token = await new SignJWT({ role: payload.role, units: payload.units ?? [], rid: randomUUID(), op: null })
        .setProtectedHeader({ alg: 'HS256' }).setSubject(payload.sub!).setIssuer('ansinh-gateway').setAudience('ansinh-subgraphs')
        .setIssuedAt().setExpirationTime('60s').sign(internalKey);
      return { token };
    } catch {
      return {};
    }
  },
});
console.log(`apollo gateway at ${url}`);
