/**
 * Two overlapping uploads to POST /import at once (one process, PGlite or PostgreSQL): one is applied, the other
 * answers 409 CONFLICT naming the running import (subject, role, request, since when), and no row value.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateImport, type Generated } from './bench/generate.js';
import { testSystem, type TestSystem } from './harness.js';
import { token, upload } from './support/import.js';

let t: TestSystem;
let files: Generated;
const dir = mkdtempSync(join(tmpdir(), 'ansinh-conflict-http-'));
beforeAll(async () => {
  t = await testSystem();
  files = await generateImport(dir, 3_000, 11, 'HTTPC', { programmes: false });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two uploads at once', () => {
  it('one is applied, the other answers 409 CONFLICT with the running import\'s identity and no row value', async () => {
    const set = { households: readFileSync(files.households, 'utf8'), members: readFileSync(files.members, 'utf8') };
    const admin = token({ sub: 'ops-admin-1', role: 'ADMIN', units: [] });
    const answers = await Promise.all([upload(t.url, set, { token: admin }), upload(t.url, set, { token: admin })]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const applied = answers.find((a) => a.status === 200)!;
    expect(applied.body.counts.households.added).toBe(3_000);
    const conflict = answers.find((a) => a.status === 409)!;
    expect(conflict.body.errors[0].extensions.code).toBe('CONFLICT');
    expect(conflict.body.errors[0].message).toMatch(/^Another import is running: ops-admin-1 \(ADMIN\) request \S+, started \d{4}-\d\d-\d\dT[\d:.]+Z; try again when it has finished$/);
    const text = JSON.stringify(conflict.body);
    expect(text).not.toMatch(/HTTPC-\d/);
    expect(text.length).toBeLessThan(500);
  }, 120_000);
});
