/**
 * The explorer in a real browser on a closed network (headless Debian Chromium driven by playwright-core): before a
 * token is given the page starts no GraphQL request (so no 401); a token set once in the bar is used by every tab
 * and kept across a reload (localStorage only); the schema's documentation loads and autocompletion offers
 * fields; every example tab answers (an ANALYST gets data, or FORBIDDEN for the record tabs; an ADMIN token, set
 * once, gets data from those too); the CSV export downloads with the token; and every request the page makes goes
 * to the gateway itself. Every step waits on a condition (the tab shown, its operation in the editor, nothing
 * running, its own answer), never a fixed time, so a loaded two-core machine is slower, not failing. Without
 * Chromium the test is skipped with a message, except in CI (`CI` set), where it fails.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleOperations } from '@ansinh/gateway';
import { sharedSystem, tokenFor, type TestSystem } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
if (!present && !inCI) console.warn(`explorer-browser: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium; in CI this fails)`);

let t: TestSystem;
let browser: Browser;
let profile: string;
beforeAll(async () => {
  if (!present) return;
  t = await sharedSystem();
  profile = mkdtempSync(join(tmpdir(), 'ansinh-chromium-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/**
 * What each example tab answers an ANALYST: the tabs that read individual records are refused by role (FORBIDDEN, in
 * a 200 with the GraphQL error, docs/security.md), every other tab answers with data. A new example must be placed
 * here; an officer's token (ADMIN below) gets data from every tab.
 */
const ANALYST_REFUSED = new Set(['HouseholdPicture', 'HouseholdPicturePage', 'HouseholdsOfUnit']);

/** Playwright's waits on a loaded two-core machine: long, and always on a condition */
const WAIT = 180_000;

describe('explorer in Chromium', () => {
  it.runIf(inCI && !present)('Chromium is installed in CI', () => {
    expect.fail(`no Chromium at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
  });

  it.runIf(present)('token once for all tabs, docs, autocomplete, every tab answers, CSV download, nothing from outside', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    const origin = new URL(t.url).origin;
    const requests: { url: string; method: string; status?: number; authorization?: string }[] = [];
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), authorization: r.headers().authorization }));
    page.on('response', (r) => { const q = [...requests].reverse().find((x) => x.url === r.url()); if (q) q.status = r.status(); });

    // 1. no token: a welcome, no GraphQL request, nothing refused (the page is settled when the network is idle)
    await page.goto(t.url);
    await page.waitForSelector('#ansinh-welcome');
    await page.waitForLoadState('networkidle');
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(requests.filter((r) => (r.status ?? 0) >= 400)).toEqual([]);

    // 2. the token, once: GraphiQL renders with the example tabs and loads the schema with it
    const analyst = await tokenFor('ANALYST');
    await setToken(page, analyst, 'ANALYST');
    expect(await page.evaluate(() => Object.keys(localStorage))).toContain('ansinh.explorer.token');
    const names = exampleOperations().map((o) => o.name);
    const tabs = await tabNames(page);
    for (const name of names) expect(tabs).toContain(name);

    // 3. the documentation: the Query type and a bilingual description
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer');
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await expect.poll(() => page.textContent('.graphiql-doc-explorer'), { timeout: WAIT }).toContain('areaStatistics');

    // 4. every tab answers, each request with the token: data, or (records, for an ANALYST) the role's refusal
    for (const name of names) {
      const body = await runTab(page, origin, name, analyst);
      if (ANALYST_REFUSED.has(name)) expect([name, body.errors?.[0]?.extensions?.code]).toEqual([name, 'FORBIDDEN']);
      else {
        expect([name, body.errors]).toEqual([name, undefined]);
        expect(Object.keys(body.data ?? {}).length).toBeGreaterThan(0);
      }
    }

    // 5. autocomplete offers the schema's fields, in a tab of its own (the examples stay as they are)
    await page.click('button.graphiql-tab-add');
    await expect.poll(async () => (await tabNames(page)).length, { timeout: WAIT }).toBe(tabs.length + 1);
    const editor = page.locator('.graphiql-query-editor .monaco-editor textarea, .graphiql-query-editor .CodeMirror textarea').first();
    await editor.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('{ areaSta');
    await page.keyboard.press('Control+Space');
    await expect.poll(async () => (await page.locator('.monaco-editor .suggest-widget, .CodeMirror-hints').first().textContent().catch(() => '')) ?? '', { timeout: WAIT }).toContain('areaStatistics');
    await page.keyboard.press('Escape');

    // 6. the token survives a reload; the schema loads again without asking
    await page.reload();
    await page.waitForSelector('.graphiql-container');
    await expect.poll(() => page.textContent('#ansinh-status'), { timeout: WAIT }).toContain('token set: ANALYST');

    // 7. the district's figures as a spreadsheet, with the token
    await page.selectOption('#ansinh-export-report', 'households');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ansinh-export-download')]);
    expect(download.suggestedFilename()).toMatch(/^households-775-2022\.csv$/);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(file.toString('utf8')).toContain('Số hộ nghèo');

    // 8. another token, set once, is the one every tab sends: an ADMIN reads the records the analyst could not
    const admin = await tokenFor('ADMIN');
    await setToken(page, admin, 'ADMIN');
    for (const name of ANALYST_REFUSED) {
      const body = await runTab(page, origin, name, admin);
      expect([name, body.errors]).toEqual([name, undefined]);
      expect(Object.keys(body.data ?? {}).length).toBeGreaterThan(0);
    }

    // nothing refused by HTTP status, nothing from outside (data: and blob: stay inside the page), every POST with a token
    expect(requests.filter((r) => (r.status ?? 0) >= 400)).toEqual([]);
    expect(requests.map((r) => r.url).filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u))).toEqual([]);
    expect(requests.filter((r) => r.method === 'POST' && r.url.startsWith(origin)).every((r) => r.authorization === `Bearer ${analyst}` || r.authorization === `Bearer ${admin}`)).toBe(true);
    await context.close();
  }, 1_200_000);
});

/** a tab's own button (the tab also holds its close button, whose icon has a text) */
const TAB_BUTTON = '.graphiql-tab-button';
/** the execute button while nothing runs (running, the same button stops the request) */
const EXECUTE = 'button.graphiql-execute-button[aria-label^="Execute"]';

async function tabNames(page: Page): Promise<string[]> {
  await page.waitForSelector(TAB_BUTTON);
  return page.$$eval(TAB_BUTTON, (els) => els.map((e) => (e.textContent ?? '').trim()));
}

/** The token in the bar, "Use for all tabs": the page reloads and GraphiQL renders with it. */
async function setToken(page: Page, token: string, role: string) {
  await page.fill('#ansinh-token', token);
  // the page reloads and GraphiQL fetches the schema with the token: done when that answer has come
  const schema = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('__schema') && r.request().headers().authorization === `Bearer ${token}`);
  await Promise.all([page.waitForEvent('load'), page.click('#ansinh-token-save')]);
  expect((await schema).status()).toBe(200);
  await page.waitForSelector('.graphiql-container');
  await expect.poll(() => page.textContent('#ansinh-status'), { timeout: WAIT }).toContain(`token set: ${role}`);
}

/** The text of the query editor as shown (Monaco writes spaces as no-break spaces). */
async function editorText(page: Page): Promise<string> {
  return ((await page.locator('.graphiql-query-editor').first().innerText().catch(() => '')) ?? '').replace(/\s+/g, ' ');
}

/**
 * Select a tab, wait until GraphiQL shows it (the tab active, its operation in the editor, nothing running), run it
 * and wait for its own answer (the POST whose query is this operation) and for GraphiQL to be done with it.
 */
async function runTab(page: Page, origin: string, name: string, token: string): Promise<{ data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }> {
  // the tab is a draggable item (framer-motion Reorder): Playwright's synthetic press and release is taken for the
  // start of a drag and the tab is not selected (seen headless, the first tab stayed active), so the button gets its
  // click event itself, which is what GraphiQL selects the tab on
  await page.locator(TAB_BUTTON).filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) }).first().dispatchEvent('click');
  await expect.poll(() => page.textContent('.graphiql-tab-active .graphiql-tab-button').then((x) => x?.trim()), { timeout: WAIT }).toBe(name);
  await expect.poll(() => editorText(page), { timeout: WAIT }).toContain(`query ${name}(`);
  // GraphiQL runs nothing until both its editors are mounted (its run() returns silently without them): on a loaded
  // machine Monaco mounts the response editor late, so wait for it, and press again if no request left
  await page.waitForSelector('.graphiql-query-editor .monaco-editor');
  await page.waitForSelector('.graphiql-response .monaco-editor');
  const own = (body: string | null) => { try { return (JSON.parse(body ?? '{}').query ?? '').includes(`query ${name}(`); } catch { return false; } };
  const ours = (r: import('playwright-core').Request) => r.url().startsWith(origin) && r.method() === 'POST' && own(r.postData());
  const answered = page.waitForResponse((r) => ours(r.request()));
  // what the page sent meanwhile, to say which request came instead of this tab's
  const sent: string[] = [];
  const record = (r: import('playwright-core').Request) => { if (r.method() === 'POST') sent.push((r.postData() ?? '').slice(0, 120)); };
  page.on('request', record);
  for (let attempt = 1; ; attempt++) {
    await page.waitForSelector(EXECUTE);
    const started = page.waitForRequest(ours, { timeout: 30_000 });
    await page.click(EXECUTE);
    if (await started.then(() => true, () => false)) break;
    if (attempt === 3) throw new Error(`${name}: three presses of Execute sent no request; the page sent ${JSON.stringify(sent)}; the editor shows ${JSON.stringify((await editorText(page)).slice(0, 200))}`);
  }
  const response = await answered.catch(async (error: Error) => {
    throw new Error(`${name}: no answer to its own request (${error.message}); the page sent ${JSON.stringify(sent)}`);
  }).finally(() => page.off('request', record));
  expect(response.request().headers().authorization).toBe(`Bearer ${token}`);
  expect([name, response.status()]).toEqual([name, 200]);
  const body = await response.json();
  await page.waitForSelector(EXECUTE);
  return body;
}
