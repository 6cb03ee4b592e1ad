/** Starting the whole system for a test file, on the database the project provides (PGlite or PostgreSQL). */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema } from 'graphql';
import { connect, type ConnectOptions, type Connection } from '@ansinh/db';
import { createAuthenticator, createServices, issueToken, prepareServices, startGateway, startSystem, SUBGRAPHS, type GatewayOptions, type Identity, type Limits, type RunningSystem, type SubgraphName } from '@ansinh/gateway';
import { log } from '@ansinh/server';

// a test run's own output stays readable: request lines only when TEST_LOG_LEVEL asks (the log tests raise it)
log.level = process.env.TEST_LOG_LEVEL ?? 'warn';

export type TestDatabase = { kind: 'pglite'; templateDir: string; referenceTemplateDir: string; copiesDir: string } | { kind: 'postgres'; url: string; template: string; referenceTemplate: string; server: string };

declare module 'vitest' {
  export interface ProvidedContext {
    database: TestDatabase;
  }
}

/** Migrates every subgraph, loads the reference data and the demo data (used once per test run, by the global setup). */
export async function prepareAll(connection: Connection, demo = true): Promise<void> {
  await prepareServices(createServices(connection), demo);
}

export interface GraphQLResponse<T = any> {
  status: number;
  /** the gateway's id for the request (x-request-id), as the access log and the server log know it */
  requestId: string;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs an operation with the default token; `headers` add to or replace the default ones. */
export type Query = <T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => Promise<GraphQLResponse<T>>;

export interface TestSystem {
  system: RunningSystem;
  url: string;
  connection: Connection;
  /** the database copy it runs on */
  database: DatabaseCopy;
  query: Query;
  /** `Authorization` headers for a role and area, to pass to `query` */
  as(role: Identity['role'], units?: string[]): Promise<Record<string, string>>;
  /** SQL statements each subgraph sent while `fn` ran */
  countStatements(fn: () => Promise<unknown>): Promise<Record<SubgraphName, number>>;
  /**
   * Another gateway over this system's subgraphs, with gateway options of its own (production mode, introspection
   * off, tighter limits): what a second system would test, without booting four more subgraphs and a database copy.
   */
  gateway(options: Pick<TestSystemOptions, 'token' | 'limits' | 'trustedDocuments' | 'explorer' | 'introspection' | 'corsOrigins' | 'rateLimit' | 'retry'>): Promise<{ url: string; query: Query; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** The HS256 secret test systems verify tokens with. */
export const TEST_JWT_SECRET = 'test-secret-for-the-an-sinh-graph-suite-only';

/** A token for an identity, signed with the test secret (`expiresIn` like '1h', or a past time to test expiry). */
export function tokenFor(role: Identity['role'], units: string[] = [], options: { sub?: string; expiresIn?: string } = {}): Promise<string> {
  return issueToken({ sub: options.sub ?? `test-${role.toLowerCase()}`, role, units }, TEST_JWT_SECRET, { expiresIn: options.expiresIn ?? '1h' });
}

export interface TestSystemOptions {
  /** the Authorization token sent by default (default: an ADMIN token; null: anonymous) */
  token?: string | null;
  limits?: Partial<Limits>;
  trustedDocuments?: boolean;
  explorer?: boolean;
  introspection?: boolean;
  /** `reference`: a system with no demo data (ANSINH_DEMO_DATA=off), only the reference data every deployment loads */
  data?: 'demo' | 'reference';
  /** per-subgraph gateway timeouts (ms); default 120,000: a loaded CI machine is slow, and only the timeout tests want short ones */
  timeouts?: Partial<Record<SubgraphName, number>>;
  /** per-client rate limit; default off (tests share one subject), a test of the limit sets one */
  rateLimit?: GatewayOptions['rateLimit'];
  corsOrigins?: string[];
  retry?: GatewayOptions['retry'];
  /** PGlite: the folder the database is copied into (on a file system of the test's own), instead of a temporary one */
  pgliteDir?: string;
}

/** What the gateway waits for each subgraph in tests unless a test asks for less. */
export const TEST_SUBGRAPH_TIMEOUT_MS = 120_000;

let copies = 0;

/** A copy of the prepared template database (demo or reference data only), for a test system or a child process. */
export interface DatabaseCopy {
  /** how this process connects to it */
  connect: ConnectOptions;
  /** the environment a child process (`pnpm serve`, the import CLI) opens it with */
  env: { DATABASE_URL: string; ANSINH_DATA_DIR?: string };
  /** on PostgreSQL: its URL (undefined on PGlite) */
  url?: string;
  /** on PGlite: its data folder (undefined on PostgreSQL) */
  dataDir?: string;
  /** removes it (drops the database, deletes the folder); nobody may still be connected */
  close(): Promise<void>;
}

/**
 * Copies the template the global setup prepared: a folder copy on PGlite, `create database … template …` on
 * PostgreSQL. A file that writes into its copy changes no other file's data.
 */
export async function databaseCopy(options: Pick<TestSystemOptions, 'data' | 'pgliteDir'> = {}): Promise<DatabaseCopy> {
  const database = inject('database');
  if (database.kind === 'pglite') {
    // inside the run's folder of copies, which the global teardown removes with whatever a worker left open
    const dir = options.pgliteDir ?? mkdtempSync(join(database.copiesDir, 'copy-'));
    cpSync(options.data === 'reference' ? database.referenceTemplateDir : database.templateDir, dir, { recursive: true });
    return { connect: { dataDir: dir }, env: { DATABASE_URL: '', ANSINH_DATA_DIR: dir }, dataDir: dir, close: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  // named after the template, so that the global teardown drops what a crashed file left behind
  const name = `${database.template}_${process.pid}_${(copies += 1)}`;
  const admin = await connect({ url: database.server, max: 1 });
  if (admin.kind === 'postgres') await admin.sql.unsafe(`create database ${name} template ${options.data === 'reference' ? database.referenceTemplate : database.template}`);
  const url = new URL(database.url);
  url.pathname = `/${name}`;
  return {
    connect: { url: url.toString(), max: 4 }, env: { DATABASE_URL: url.toString() }, url: url.toString(),
    async close() {
      if (admin.kind === 'postgres') await admin.sql.unsafe(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

/** Requests to a gateway with a default token (`authorization: ''` in `headers` sends none). */
function querying(url: string, token: string | null): Query {
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return async (query, variables, headers = {}) => {
    // per-request headers win; `authorization: ''` sends none
    const all: Record<string, string> = { 'content-type': 'application/json', ...authorization, ...headers };
    if (all.authorization === '') delete all.authorization;
    const res = await fetch(url, { method: 'POST', headers: all, body: JSON.stringify({ query, variables }) });
    return { status: res.status, requestId: res.headers.get('x-request-id') ?? '', ...((await res.json()) as object) };
  };
}

const defaultTimeouts = () => Object.fromEntries(SUBGRAPHS.map((s) => [s.name, TEST_SUBGRAPH_TIMEOUT_MS]));

export async function testSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const copy = await databaseCopy({ data: options.data, pgliteDir: options.pgliteDir });
  const connection = await connect(copy.connect);
  const system = await startSystem({
    connection, port: 0, subgraphBasePort: 0, demo: false,
    auth: { jwtSecret: TEST_JWT_SECRET }, limits: options.limits, trustedDocuments: options.trustedDocuments ?? false,
    explorer: options.explorer ?? true, introspection: options.introspection ?? true,
    timeouts: options.timeouts ?? defaultTimeouts(),
    rateLimit: options.rateLimit ?? null, corsOrigins: options.corsOrigins ?? [], retry: options.retry,
    // no in-flight bound: a loaded test machine would queue past the bound's timeout (test/overload.test.ts sets its own)
    admission: { gateway: null, subgraphs: null },
  });
  const url = system.gateway.url;
  const token = options.token === undefined ? await tokenFor('ADMIN') : options.token;
  return {
    system,
    url,
    connection,
    database: copy,
    query: querying(url, token),
    async as(role, units = []) {
      return { authorization: `Bearer ${await tokenFor(role, units)}` };
    },
    async countStatements(fn) {
      for (const s of SUBGRAPHS) system.services[s.name].counter.reset();
      await fn();
      return Object.fromEntries(SUBGRAPHS.map((s) => [s.name, system.services[s.name].counter.count])) as Record<SubgraphName, number>;
    },
    async gateway(more) {
      const gateway = await startGateway({
        port: 0, internalSecret: system.internalSecret, urls: Object.fromEntries(SUBGRAPHS.map((s) => [s.name, system.subgraphs[s.name].url])),
        authenticate: createAuthenticator({ jwtSecret: TEST_JWT_SECRET }), limits: more.limits, trustedDocuments: more.trustedDocuments ?? false,
        explorer: more.explorer ?? true, introspection: more.introspection ?? true, timeouts: defaultTimeouts(),
        rateLimit: more.rateLimit ?? null, corsOrigins: more.corsOrigins ?? [], retry: more.retry, admission: null,
      });
      const token = more.token === undefined ? await tokenFor('ADMIN') : more.token;
      return { url: gateway.url, query: querying(gateway.url, token), close: () => gateway.close() };
    },
    async close() {
      await system.close();
      await connection.close();
      await copy.close();
    },
  };
}

/**
 * One demo system per worker process, for the files that only read (no mutation, no import, no subgraph stopped,
 * default options): the system projects run with `isolate: false`, so the files a worker runs one after another
 * share the loaded modules and this booted system instead of each booting its own. Its `close` does nothing: it
 * lives as long as the worker, and the global teardown removes its copy (the run's folder of PGlite copies, the
 * PostgreSQL databases named after the template).
 */
const shared = new Map<string, Promise<TestSystem>>();
export async function sharedSystem(options: Pick<TestSystemOptions, 'token'> = {}): Promise<TestSystem> {
  // one per database the project provides: should a worker ever run files of both projects, each gets its own
  const key = JSON.stringify(inject('database'));
  if (!shared.has(key)) shared.set(key, testSystem());
  const t = await shared.get(key)!;
  // the default token is the client's side only: another one (or none) needs no other system
  const query = options.token === undefined ? t.query : querying(t.url, options.token);
  return { ...t, query, close: async () => {} };
}

/** The API schema as a client sees it, through the standard introspection query (which must pass). */
export async function clientSchema(query: Query): Promise<GraphQLSchema> {
  const res = await query(getIntrospectionQuery());
  if (res.errors) throw new Error(`introspection failed: ${JSON.stringify(res.errors)}`);
  return buildClientSchema(res.data);
}
