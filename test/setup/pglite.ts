/** Builds one PGlite database with the migrations and demo data; each test file opens its own copy of it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { connect } from '@ansinh/db';
import { prepareAll } from '../harness.js';

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-template-'));
  const connection = await connect({ dataDir: dir });
  await prepareAll(connection);
  await connection.close();
  project.provide('database', { kind: 'pglite', templateDir: dir });
  return () => rmSync(dir, { recursive: true, force: true });
}
