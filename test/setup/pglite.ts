/**
 * Builds two PGlite databases, migrated with the reference data: one with the demo data, one without (a city's own
 * data goes in through the import); each test system opens its own copy of one of them.
 */
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
  // the same system with no demo data: the reference data every deployment loads, and nothing else
  const referenceDir = mkdtempSync(join(tmpdir(), 'ansinh-template-reference-'));
  const reference = await connect({ dataDir: referenceDir });
  await prepareAll(reference, false);
  await reference.close();
  // every test's copy goes in here (test/harness.ts databaseCopy): removed at the end, with any a worker left open
  const copiesDir = mkdtempSync(join(tmpdir(), 'ansinh-copies-'));
  project.provide('database', { kind: 'pglite', templateDir: dir, referenceTemplateDir: referenceDir, copiesDir });
  return () => {
    rmSync(copiesDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    rmSync(referenceDir, { recursive: true, force: true });
  };
}
