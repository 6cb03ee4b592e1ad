/**
 * One `vitest run` runs every test on PGlite, and again on PostgreSQL when TEST_DATABASE_URL is set
 * (a server to create fresh databases on, e.g. postgres://postgres@127.0.0.1:5432/test).
 */
import { createRequire } from 'node:module';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { isCi } from './test/support/ci.js';

const systemTests = ['test/**/*.test.ts'];
// generous: measured on the shared two-core machine at load 20-45, single system tests took over 60 s (docs/development.md)
const timeouts = { testTimeout: 180_000, hookTimeout: 300_000 };
// the files a worker runs share its loaded modules (the gateway and four subgraphs take seconds to load on a loaded
// machine) and, for the files that only read, one booted system (test/harness.ts sharedSystem); every file that
// writes still boots its own system on its own database copy
const system = { ...timeouts, isolate: false };

const projects: TestProjectInlineConfiguration[] = [
  // the domain tests beside each subgraph (subgraphs/<name>/test) open an in-memory PGlite per file (scratchDatabase):
  // its boot and migrations take seconds on a loaded machine, hence the hook timeout
  // (isolate: false: a worker's files share its loaded modules, PGlite's compiled WebAssembly among them, so only the
  // first file of each worker pays for compiling it; no unit test changes a global)
  { test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'subgraphs/*/test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 120_000, isolate: false } },
  { test: { name: 'pglite', include: systemTests, globalSetup: ['test/setup/pglite.ts'], ...system } },
];
if (process.env.TEST_DATABASE_URL) {
  projects.push({ test: { name: 'postgres', include: systemTests, globalSetup: ['test/setup/postgres.ts'], ...system } });
} else if (isCi()) {
  // CI runs everything: without a server the PostgreSQL half fails (one test saying why) instead of vanishing
  projects.push({ test: { name: 'postgres', include: ['test/setup/postgres-missing.check.ts'] } });
} else {
  console.warn('TEST_DATABASE_URL is not set: the system tests run on PGlite only (the postgres project is skipped; in CI this fails)');
}

// One graphql-js for our sources and for Apollo: Vite would give our TypeScript graphql's ESM build (index.mjs) while
// Apollo, loaded by Node, gets the CommonJS one (index.js), and a schema of one is "from another realm" to the other.
const resolve = { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] };

export default defineConfig({ test: { projects: projects.map((p) => ({ ...p, resolve })), pool: 'forks', maxWorkers: 2 } });
