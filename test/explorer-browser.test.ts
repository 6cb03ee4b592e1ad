/**
 * The explorer in a real browser on a closed network: headless Chromium renders it, and every request the page
 * makes goes to the gateway itself (or stays inside the page: data: and blob: URLs). Skipped where Chromium is
 * not installed (Debian package `chromium`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSystem, type TestSystem } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

let t: TestSystem;
beforeAll(async () => { if (existsSync(CHROMIUM)) t = await testSystem(); });
afterAll(async () => { await t?.close(); });

describe.skipIf(!existsSync(CHROMIUM))('explorer in Chromium', () => {
  it('renders GraphiQL with the example tabs and requests nothing from outside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ansinh-chromium-'));
    const netlog = join(dir, 'net.json');
    try {
      const { stdout } = await run(CHROMIUM, [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`, `--log-net-log=${netlog}`,
        '--virtual-time-budget=8000', '--dump-dom', t.url,
      ], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
      // rendered: GraphiQL's tabs carry the operation names
      for (const name of ['HouseholdPicture', 'DistrictFigures', 'HouseholdsOfUnit']) expect(stdout).toContain(name);
      expect(stdout).toContain('graphiql-container');
      // the page's own requests carry it as their initiator (Chromium's background traffic does not)
      const origin = new URL(t.url).origin;
      // URL_REQUEST_START_JOB events, one per line: {… "initiator": …, …, "url": …} (unterminated at exit)
      const started = readFileSync(netlog, 'utf8').split('\n')
        .map((line) => ({ initiator: /"initiator":"([^"]*)"/.exec(line)?.[1], url: /"url":"([^"]*)"/.exec(line)?.[1] }))
        .filter((p): p is { initiator: string; url: string } => !!p.initiator && !!p.url);
      const fromPage = started.filter((p) => p.initiator === origin || p.initiator.startsWith(`${origin}/`));
      expect(fromPage.length).toBeGreaterThan(0); // at least its GraphQL requests (introspection)
      const outside = fromPage.map((p) => p.url).filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u));
      expect(outside).toEqual([]);
    } finally {
      if (!process.env.KEEP_NETLOG) rmSync(dir, { recursive: true, force: true });
    }
  });
});
