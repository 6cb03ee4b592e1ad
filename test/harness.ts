/** Starting the whole system for a test file, on the database the project provides (PGlite or PostgreSQL). */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { connect, type Connection } from '@ansinh/db';
import { createServices, issueToken, prepareServices, startSystem, SUBGRAPHS, type GatewayOptions, type Identity, type Limits, type RunningSystem, type SubgraphName } from '@ansinh/gateway';
import { log } from '@ansinh/server';

// a test run's own output stays readable: request lines only when TEST_LOG_LEVEL asks (the log tests raise it)
log.level = process.env.TEST_LOG_LEVEL ?? 'warn';

export type TestDatabase = { kind: 'pglite'; templateDir: string; referenceTemplateDir: string } | { kind: 'postgres'; url: string; template: string; referenceTemplate: string; server: string };

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

export interface TestSystem {
  system: RunningSystem;
  url: string;
  connection: Connection;
  /** POSTs an operation with the default token; `headers` add to or replace the default ones. */
  query<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** `Authorization` headers for a role and area, to pass to `query` */
  as(role: Identity['role'], units?: string[]): Promise<Record<string, string>>;
  /** SQL statements each subgraph sent while `fn` ran */
  countStatements(fn: () => Promise<unknown>): Promise<Record<SubgraphName, number>>;
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

export async function testSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const database = inject('database');
  let connection: Connection;
  let cleanup: () => void | Promise<void> = () => {};
  if (database.kind === 'pglite') {
    const dir = options.pgliteDir ?? mkdtempSync(join(tmpdir(), 'ansinh-test-'));
    cpSync(options.data === 'reference' ? database.referenceTemplateDir : database.templateDir, dir, { recursive: true });
    connection = await connect({ dataDir: dir });
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  } else {
    // a copy of the template database the global setup prepared: a file that writes changes no other file's data
    const url = new URL(database.url);
    const name = `${database.template}_${process.pid}_${(copies += 1)}`;
    const admin = await connect({ url: database.server, max: 1 });
    if (admin.kind === 'postgres') await admin.sql.unsafe(`create database ${name} template ${options.data === 'reference' ? database.referenceTemplate : database.template}`);
    url.pathname = `/${name}`;
    connection = await connect({ url: url.toString(), max: 4 });
    cleanup = async () => {
      if (admin.kind === 'postgres') await admin.sql.unsafe(`drop database if exists ${name} with (force)`);
      await admin.close();
    };
  }
  const system = await startSystem({
    connection, port: 0, subgraphBasePort: 0, demo: false,
    auth: { jwtSecret: TEST_JWT_SECRET }, limits: options.limits, trustedDocuments: options.trustedDocuments ?? false,
    explorer: options.explorer ?? true, introspection: options.introspection ?? true,
    timeouts: options.timeouts ?? Object.fromEntries(SUBGRAPHS.map((s) => [s.name, TEST_SUBGRAPH_TIMEOUT_MS])),
    rateLimit: options.rateLimit ?? null, corsOrigins: options.corsOrigins ?? [], retry: options.retry,
    // no in-flight bound: a loaded test machine would queue past the bound's timeout (test/overload.test.ts sets its own)
    admission: { gateway: null, subgraphs: null },
  });
  const url = system.gateway.url;
  const token = options.token === undefined ? await tokenFor('ADMIN') : options.token;
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return {
    system,
    url,
    connection,
    async query(query, variables, headers = {}) {
      // per-request headers win; `authorization: ''` sends none
      const all: Record<string, string> = { 'content-type': 'application/json', ...authorization, ...headers };
      if (all.authorization === '') delete all.authorization;
      const res = await fetch(url, {
        method: 'POST',
        headers: all,
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, requestId: res.headers.get('x-request-id') ?? '', ...((await res.json()) as object) };
    },
    async as(role, units = []) {
      return { authorization: `Bearer ${await tokenFor(role, units)}` };
    },
    async countStatements(fn) {
      for (const s of SUBGRAPHS) system.services[s.name].counter.reset();
      await fn();
      return Object.fromEntries(SUBGRAPHS.map((s) => [s.name, system.services[s.name].counter.count])) as Record<SubgraphName, number>;
    },
    async close() {
      await system.close();
      await connection.close();
      await cleanup();
    },
  };
}
