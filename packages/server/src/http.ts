/**
 * A minimal node:http front for Apollo Server 5 (it has no HTTP layer of its own besides the standalone one),
 * so the gateway and the subgraphs can add plain routes such as /health and /ready next to GraphQL.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import cors from 'cors';
import { log, safeError } from './log.js';
import type { ServiceMetrics } from './metrics.js';
import { currentTraceId, inServerSpan } from './tracing.js';
import { inRequestScope } from '@ansinh/db';
import { Admission, requestDeadline, type AdmissionSettings } from './overload.js';
import { drainable } from './drain.js';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpOptions<Ctx extends BaseContext> {
  /** the GraphQL server; without one only the routes are served (the import process) */
  apollo?: ApolloServer<Ctx>;
  /** the service's name in log lines, metrics and spans: gateway, households, … */
  service?: string;
  /** request metrics, and `/metrics` for Prometheus */
  metrics?: ServiceMetrics;
  /** Origins a browser may call from (CORS); none: no CORS headers at all. `*` allows any origin. */
  corsOrigins?: string[];
  /** Who the request is for, from `prepare`'s state: for log lines. */
  describe?: (state: unknown) => { subject?: string; role?: string; operation?: string | null } | undefined;
  /** Runs after `prepare` (the caller is known): the rate limit. Throws an HttpError (429) to refuse. */
  admit?: (input: { req: IncomingMessage; requestId: string; state: unknown }) => Promise<void>;
  port: number;
  host?: string;
  /** GraphQL path; `/` by default. */
  path?: string;
  /** Plain GET routes, e.g. `/health`. */
  routes?: Record<string, Route>;
  /** Take the client's x-request-id (behind the gateway); otherwise every request gets a fresh one. */
  trustRequestId?: boolean;
  /** Plain POST routes that read the request themselves (streamed uploads), e.g. `/import`. */
  postRoutes?: Record<string, Route>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /**
   * Runs before Apollo on every GraphQL request, with the parsed body: authentication and operation limits.
   * Throws an HttpError to refuse the request; may replace the body (trusted documents); its `state` reaches
   * `context`.
   */
  prepare?: (input: PrepareInput) => Promise<{ body: unknown; state?: unknown }>;
  context?: (req: IncomingMessage, requestId: string, state?: unknown) => Promise<Ctx>;
  /** GraphQL requests in flight at once and waiting (overload.ts); none: unbounded */
  admission?: AdmissionSettings | null;
  /**
   * Each GraphQL request's deadline (overload.ts): the caller's `x-ansinh-deadline-ms` when trusted (subgraphs, behind
   * the gateway) and/or a limit of this server's own; its SQL is cancelled when it passes or the client goes away.
   */
  deadline?: { trustHeader: boolean; timeoutMs?: number };
}

/**
 * What one request did, filled in as it goes (the HTTP front, the Apollo plugin, the gateway's fetches) and written
 * as one log line when the response has been sent. Holds no value of the request or the answer.
 */
export interface RequestRecord {
  requestId: string;
  service: string;
  method: string;
  path: string;
  operation?: string | null;
  subject?: string;
  role?: string;
  /** gateway: the subgraphs this request fetched from */
  subgraphs: Set<string>;
  /** GraphQL error codes of the answer */
  errorCodes: Set<string>;
  /** the answer had data (with errors: a partial answer) */
  hasData?: boolean;
  graphql: boolean;
  /** extra fields for the log line (counts, never values) */
  extra: Record<string, unknown>;
}

const records = new WeakMap<object, RequestRecord>();
/** On the GraphQL context, as an enumerable symbol: Apollo hands plugins and data sources a copy (Object.assign) of it. */
const RECORD = Symbol('ansinh.requestRecord');

/** The record of the request a GraphQL context (or an IncomingMessage) belongs to. */
export function recordOf(key: object | undefined): RequestRecord | undefined {
  return key ? ((key as { [RECORD]?: RequestRecord })[RECORD] ?? records.get(key)) : undefined;
}

/** The outcome label of a finished request. */
export function outcomeOf(status: number, record: RequestRecord): string {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'error';
  if (status >= 400) return 'rejected';
  if (record.errorCodes.size) return record.hasData ? 'partial' : 'failed';
  return 'ok';
}

/** Fills the request record from Apollo's view: the operation's name and the error codes of the answer. */
export function requestRecordPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart({ contextValue, request }) {
      const record = recordOf(contextValue);
      if (record && request.operationName && !record.operation) record.operation = request.operationName;
      return {
        async didResolveOperation({ operationName }) {
          if (record && operationName && !record.operation) record.operation = operationName;
        },
        async willSendResponse({ response }) {
          if (!record || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          record.hasData = result.data !== undefined && result.data !== null;
          for (const e of result.errors ?? []) record.errorCodes.add(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
        },
      };
    },
  };
}

export interface PrepareInput {
  req: IncomingMessage;
  requestId: string;
  method: string;
  url: URL;
  /** the parsed JSON body (POST), or undefined */
  body: unknown;
}

export interface RunningHttp {
  url: string;
  port: number;
  server: Server;
  /** the in-flight bound and queue of GraphQL requests, when there is one */
  admission?: Admission;
  /** Stops accepting; requests that arrived (also on kept-alive sockets) get `graceMs` to finish (drain.ts). */
  close(graceMs?: number): Promise<void>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {},
    /** more for the client beside the code, e.g. `argument`: the argument at fault */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // a content type set before (application/graphql-response+json, for a client that asked for it) is kept
  res.writeHead(status, { 'content-type': String(res.getHeader('content-type') ?? 'application/json; charset=utf-8'), 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  for (const [key, value] of Object.entries(error.headers)) res.setHeader(key, value);
  sendJson(res, error.status, { errors: [{ message: error.message, extensions: { ...error.extensions, code: error.code } }] });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function serveHttp<Ctx extends BaseContext>(options: HttpOptions<Ctx>): Promise<RunningHttp> {
  const path = options.path ?? '/';
  const limit = options.maxBodyBytes ?? 1_000_000;
  const service = options.service ?? 'http';
  const metrics = options.metrics;
  const admission = options.admission ? new Admission(options.admission) : undefined;
  if (metrics) options = { ...options, routes: { ...options.routes, '/metrics': metricsRoute(metrics) } };
  const corsOrigins = options.corsOrigins?.filter(Boolean) ?? [];
  const corsHandler = corsOrigins.length
    ? cors({
      origin: corsOrigins.includes('*') ? true : corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'traceparent', 'tracestate', 'idempotency-key'],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    })
    : undefined;
  // the request's record, CORS, its server span, its metrics and its log line, around the handler below
  const observed = (handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>) => async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const given = req.headers['x-request-id'];
    const requestId = options.trustRequestId && typeof given === 'string' && /^[\w.:-]{8,80}$/.test(given) ? given : randomUUID();
    const postRoute = req.method === 'POST' ? options.postRoutes?.[url.pathname] : undefined;
    const record: RequestRecord = {
      requestId, service, method: req.method ?? 'GET', path: url.pathname, subgraphs: new Set(), errorCodes: new Set(),
      graphql: !postRoute && url.pathname === path && Boolean(options.apollo), extra: {},
    };
    records.set(req, record);
    if (corsHandler) {
      // preflight (OPTIONS): cors answers 204, with the allow headers when the origin is on the list
      if (req.method === 'OPTIONS') {
        corsHandler(req, res, () => { res.statusCode = 204; res.end(); });
        return;
      }
      await new Promise<void>((resolve) => corsHandler(req, res, () => resolve()));
    }
    // probes and scrapes (/health, /ready, /metrics) are neither traced nor logged
    if (!record.graphql && !postRoute) return handler(req, res);
    const attributes = { 'http.request.method': record.method, 'url.path': url.pathname, 'ansinh.service': service, 'ansinh.request_id': requestId };
    await inServerSpan(req.headers, `${record.method} ${url.pathname}`, attributes, async (span) => {
      const traceId = currentTraceId();
      res.once('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const outcome = outcomeOf(res.statusCode, record);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (record.operation) span.setAttribute('graphql.operation.name', record.operation);
        if (metrics && record.graphql) {
          const operation = metrics.operation(record.operation);
          metrics.requests.inc({ operation, outcome });
          metrics.requestDuration.observe({ operation, outcome }, seconds);
        }
        log.info({
          service, requestId, traceId, method: record.method, path: record.path, operation: record.operation ?? undefined,
          subject: record.subject, role: record.role, subgraphs: record.subgraphs.size ? [...record.subgraphs] : undefined,
          status: res.statusCode, outcome, errorCodes: record.errorCodes.size ? [...record.errorCodes] : undefined,
          durationMs: Math.round(seconds * 10_000) / 10, ...record.extra,
        }, 'request');
      });
      await handler(req, res);
    });
  };
  const server = createServer(observed(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const record = records.get(req)!;
    const requestId = record.requestId;
    res.setHeader('x-request-id', requestId);
    try {
      const route = options.routes?.[url.pathname];
      const postRoute = options.postRoutes?.[url.pathname];
      if (postRoute && req.method === 'POST') {
        await postRoute(req, res);
        return;
      }
      if (route && (req.method === 'GET' || req.method === 'HEAD')) {
        await route(req, res);
        return;
      }
      if (url.pathname !== path || !options.apollo || !options.context) throw new HttpError(404, 'NOT_FOUND', `No route ${url.pathname}`);
      // the request's deadline and signal, then a slot (or a 503 at once): overload.ts
      const scope = requestDeadline(req, res, options.deadline ?? { trustHeader: false });
      // the slot is given back as soon as the answer is handed to the socket, and at the latest when the response
      // closes (an error, a hang-up): waiting for 'close' kept a client's next request on a kept-alive connection
      // queued behind its own last one (small query at 8 clients: (a)/(b) 1.02–1.11 against 1.27–1.29 unbounded)
      const release = admission ? await admission.enter(scope.signal) : undefined;
      if (release) res.once('close', release);
      const raw = req.method === 'POST' ? await readBody(req, limit) : '';
      let body: unknown = undefined;
      const contentType = String(req.headers['content-type'] ?? '');
      if (raw && contentType.includes('json')) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'BAD_REQUEST', 'Request body is not valid JSON');
        }
      } else if (raw) {
        body = raw;
      }
      let state: unknown;
      if (options.prepare) ({ body, state } = await options.prepare({ req, requestId, method: req.method ?? 'GET', url, body }));
      const who = options.describe?.(state);
      if (who) {
        record.subject = who.subject;
        record.role = who.role;
        if (who.operation) record.operation = who.operation;
      }
      if (options.admit) await options.admit({ req, requestId, state });
      const makeContext = options.context;
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const result = await inRequestScope(scope, () => options.apollo!.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          const context = await makeContext(req, requestId, state);
          Object.defineProperty(context, RECORD, { value: record, enumerable: true, configurable: true });
          return context;
        },
      }));
      for (const [key, value] of result.headers) res.setHeader(key, value);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
      release?.();
    } catch (error) {
      // a refused upload: answer at once and close, rather than read the rest of it
      if (error instanceof HttpError && error.status === 413) res.setHeader('connection', 'close');
      if (error instanceof HttpError) sendError(res, error);
      else {
        log.error({ service, requestId, path: url.pathname, err: safeError(error) }, 'internal error');
        sendError(res, new HttpError(500, 'INTERNAL_SERVER_ERROR', `Internal server error (request ${requestId})`));
      }
    }
  }));
  server.keepAliveTimeout = 5_000;
  const drainer = drainable(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}${path}`,
    port,
    server,
    admission,
    // stop accepting; every request that arrived is answered (Connection: close), sockets close as they fall idle
    close: (graceMs = 5_000) => drainer.drain(graceMs),
  };
}

/**
 * `GET /metrics`: the service's metrics in Prometheus' text format. With ANSINH_METRICS_TOKEN set, only for
 * `Authorization: Bearer <that token>` (Prometheus: `authorization: { credentials: … }`).
 */
function metricsRoute(metrics: ServiceMetrics): Route {
  return async (req, res) => {
    const token = process.env.ANSINH_METRICS_TOKEN;
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      sendError(res, new HttpError(401, 'UNAUTHENTICATED', 'The metrics need "Authorization: Bearer <ANSINH_METRICS_TOKEN>"'));
      return;
    }
    const { contentType, body } = await metrics.text();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  };
}
