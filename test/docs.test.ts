/**
 * The docs' examples are run: every ```graphql block of README.md and docs/*.md that is followed (blank lines
 * between at most) by a ```json block is sent to one demo system, and the answer must match the JSON shown
 * (`toMatchObject`: an error may leave out `locations` and `path`, an object no field it shows may differ). A
 * line `<!-- as: ROLE [unit …] -->` just before the graphql block sends it with that role's token (ADMIN otherwise).
 * A stale figure, code or field in the docs fails here. `DOCS_PRINT=1` prints each actual answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSystem, tokenFor, type TestSystem } from './harness.js';

const ROOT = new URL('../', import.meta.url);
const FILES = ['README.md', ...readdirSync(new URL('docs/', ROOT)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Example { file: string; line: number; query: string; expected: unknown; role: string; units: string[] }

/** Every graphql block with its json answer, in the order of the files. */
export function docExamples(): Example[] {
  const out: Example[] = [];
  for (const file of FILES) {
    const text = readFileSync(new URL(file, ROOT), 'utf8');
    const re = /(?:<!--\s*as:\s*([A-Z_]+)((?:\s+\w+)*)\s*-->\s*\n)?```graphql\n((?:(?!```)[\s\S])*?)\n```[ \t]*\n(?:[ \t]*\n)*```json\n((?:(?!```)[\s\S])*?)\n```/g;
    for (const m of text.matchAll(re)) {
      const line = text.slice(0, m.index).split('\n').length;
      let expected: unknown;
      try { expected = JSON.parse(m[4]!); } catch (e) { throw new Error(`${file}:${line}: the json block is not JSON (${(e as Error).message})`); }
      out.push({ file, line, query: m[3]!, expected, role: m[1] ?? 'ADMIN', units: (m[2] ?? '').trim().split(/\s+/).filter(Boolean) });
    }
  }
  return out;
}

const EXAMPLES = docExamples();

let t: TestSystem;
beforeAll(async () => { t = await sharedSystem(); });
afterAll(async () => { await t?.close(); });

describe('the docs\' examples answer as shown', () => {
  it('there are examples to run (README.md, docs/api.md, docs/households.md at least)', () => {
    const files = new Set(EXAMPLES.map((e) => e.file));
    for (const f of ['README.md', 'docs/api.md', 'docs/households.md']) expect(files).toContain(f);
  });

  it.each(EXAMPLES.map((e) => [`${e.file}:${e.line} as ${e.role}`, e] as const))('%s', async (_, example) => {
    const headers = { authorization: `Bearer ${await tokenFor(example.role as never, example.units)}` };
    const { status: _status, requestId: _id, ...answer } = await t.query(example.query, undefined, headers) as unknown as Record<string, unknown>;
    if (process.env.DOCS_PRINT) console.log(`${example.file}:${example.line}\n${JSON.stringify(answer)}`);
    expect(answer).toMatchObject(example.expected as object);
  });
});
