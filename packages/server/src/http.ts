/**
 * A minimal node:http front for Apollo Server 5 (it has no HTTP layer of its own besides the standalone one),
 * so the gateway and the subgraphs can add plain routes such as /health and /ready next to GraphQL.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpOptions<Ctx extends BaseContext> {
  apollo: ApolloServer<Ctx>;
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
  context: (req: IncomingMessage, requestId: string, state?: unknown) => Promise<Ctx>;
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
  /** Stops accepting requests; requests in flight get `graceMs` to finish. */
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
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
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
  let closing = false;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const given = req.headers['x-request-id'];
    const requestId = options.trustRequestId && typeof given === 'string' && /^[\w.:-]{8,80}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    if (closing) {
      // shutting down: a request on a kept-alive connection is refused, and the connection closed
      res.setHeader('connection', 'close');
      sendError(res, new HttpError(503, 'SHUTTING_DOWN', 'The server is shutting down; retry on another instance or in a moment'));
      return;
    }
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
      if (url.pathname !== path) throw new HttpError(404, 'NOT_FOUND', `No route ${url.pathname}`);
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
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const result = await options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => options.context(req, requestId, state),
      });
      for (const [key, value] of result.headers) res.setHeader(key, value);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
      } else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      // a refused upload: answer at once and close, rather than read the rest of it
      if (error instanceof HttpError && error.status === 413) res.setHeader('connection', 'close');
      if (error instanceof HttpError) sendError(res, error);
      else {
        console.error(`[${requestId}]`, error);
        sendError(res, new HttpError(500, 'INTERNAL_SERVER_ERROR', `Internal server error (request ${requestId})`));
      }
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}${path}`,
    port,
    server,
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        closing = true;
        if (!server.listening) return resolve();
        // stop accepting, let requests in flight finish (bounded), then drop what is left
        server.close(() => resolve());
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        server.once('close', () => { clearInterval(idle); clearTimeout(force); });
      }),
  };
}
