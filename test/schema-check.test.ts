/**
 * The breaking-change check (`pnpm schema:check`, run by `pnpm check`): against a copy of the released schemas,
 * the schemas as they are now pass; removing a field or making an argument required fails, in the subgraph and in
 * the supergraph's API schema; listing the change as intended (with a reason) lets it through.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { checkSchemas, currentSchemas } from '@ansinh/gateway';

const RELEASES = fileURLToPath(new URL('../schema-releases', import.meta.url));

// needs no database: once, in the PGlite project
describe.skipIf(inject('database').kind !== 'pglite')('schema check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ansinh-releases-'));
  cpSync(RELEASES, dir, { recursive: true });
  // the baseline of the cases below is the schemas as they are now (the committed release may be older, with its
  // intended breaks listed): each case's change is then the only difference
  for (const [name, text] of Object.entries(currentSchemas())) writeFileSync(join(dir, `${name}.graphql`), text!);
  writeFileSync(join(dir, 'intended-changes.json'), '{ "changes": [] }\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the committed schemas against the committed release', async () => {
    const { unexpected } = await checkSchemas();
    expect(unexpected).toBe(0);
  });

  it('fails a removed field, names it, and lets it through once listed as intended', async () => {
    const current = currentSchemas();
    // the released households schema, with the poverty standard's jurisdiction removed (a field clients read)
    const field = /\n\s+"[^"\n]*"\n\s+jurisdiction: [^\n]*/; // its description and the field
    expect(current.households).toMatch(field);
    current.households = current.households!.replace(field, '');
    const before = await checkSchemas({ releasesDir: dir, current });
    expect(before.unexpected).toBe(1);
    const households = before.reports.find((r) => r.schema === 'households')!;
    expect(households.breaking.map((c) => [c.type, c.path])).toEqual([['FIELD_REMOVED', 'PovertyStandard.jurisdiction']]);

    writeFileSync(join(dir, 'intended-changes.json'), JSON.stringify({ changes: [
      { schema: 'households', type: 'FIELD_REMOVED', path: 'PovertyStandard.jurisdiction', reason: 'test: replaced by issuer' },
    ] }));
    const after = await checkSchemas({ releasesDir: dir, current });
    expect(after.unexpected).toBe(0);
    expect(after.reports.find((r) => r.schema === 'households')!.breaking[0]!.intended?.reason).toBe('test: replaced by issuer');
  });

  it('fails a new required argument in the API schema clients see', async () => {
    const current = currentSchemas();
    current['supergraph-api'] = current['supergraph-api']!.replace(/householdByCode\(([^)]*)\)/, (_m, args: string) => `householdByCode(${args}, asOf: String!)`);
    const { reports, unexpected } = await checkSchemas({ releasesDir: dir, current: { 'supergraph-api': current['supergraph-api']! } });
    expect(unexpected).toBe(1);
    expect(reports[0]!.breaking[0]!.type).toBe('FIELD_ARGUMENT_ADDED');
  });

  it('does not count an added optional field as breaking', async () => {
    const current = currentSchemas();
    current.health = current.health!.replace(/type InsuranceCard([^{]*)\{/, 'type InsuranceCard$1{\n  issuedBy: String');
    const { reports, unexpected } = await checkSchemas({ releasesDir: dir, current: { health: current.health! } });
    expect(unexpected).toBe(0);
    expect(reports[0]!.safe).toBeGreaterThan(0);
  });
});
