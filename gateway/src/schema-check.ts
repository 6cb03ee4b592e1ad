/**
 * Breaking-change check of the schemas against the last released ones (schema-releases/), with graphql-inspector:
 * each subgraph's schema.graphql, and the supergraph's API schema (what clients see). A breaking change fails the
 * check unless schema-releases/intended-changes.json lists it (schema, type, path, and why).
 *
 *   pnpm schema:check     (part of `pnpm check`, so CI runs it)
 *   pnpm schema:release   the current schemas become the released ones; the intended list empties
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema as printFederationSchema, Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { createRequire } from 'node:module';
import type { GraphQLSchema } from 'graphql';
import { ROOT, SUBGRAPHS, SUPERGRAPH_FILE, schemaFile } from './subgraphs.js';

export const RELEASES_DIR = join(ROOT, 'schema-releases');
const API_SCHEMA = 'supergraph-api';

export interface IntendedChange {
  /** a subgraph name or "supergraph-api" */
  schema: string;
  /** graphql-inspector's change type, e.g. FIELD_REMOVED, FIELD_TYPE_CHANGED */
  type: string;
  /** the schema coordinate, e.g. Household.id */
  path: string;
  /** why the break is intended, and what clients must do */
  reason: string;
}

/** The schemas as they are now: each subgraph's SDL, and the supergraph's API schema printed. */
export function currentSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SUBGRAPHS) out[s.name] = readFileSync(schemaFile(s.name), 'utf8');
  // printed by federation's own printer: no graphql-js schema object crosses from its (CommonJS) copy of graphql
  out[API_SCHEMA] = printFederationSchema(Supergraph.build(readFileSync(SUPERGRAPH_FILE, 'utf8')).apiSchema());
  return out;
}

// graphql-inspector uses the CommonJS build of graphql (also from its ESM entry): schemas must come from that copy
const { buildSchema } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

function build(sdl: string): GraphQLSchema {
  // assumeValidSDL: a subgraph's federation directives (@key, @link, …) need no definitions to be compared
  return buildSchema(sdl, { assumeValidSDL: true });
}

export interface SchemaReport {
  schema: string;
  breaking: (Change & { intended?: IntendedChange })[];
  dangerous: Change[];
  safe: number;
}

/** Compares `current` (default: the schemas now) with the released ones in `releasesDir` (default: schema-releases/). */
export async function checkSchemas(options: { releasesDir?: string; current?: Record<string, string> } = {}): Promise<{ reports: SchemaReport[]; unexpected: number; staleIntended: IntendedChange[] }> {
  const dir = options.releasesDir ?? RELEASES_DIR;
  const intended = readIntended(join(dir, 'intended-changes.json'));
  const used = new Set<IntendedChange>();
  const reports: SchemaReport[] = [];
  const current = options.current ?? currentSchemas();
  for (const [schema, sdl] of Object.entries(current)) {
    const releasedFile = join(dir, `${schema}.graphql`);
    if (!existsSync(releasedFile)) {
      reports.push({ schema, breaking: [], dangerous: [], safe: 0 });
      continue; // a new schema (a new subgraph): nothing released to break
    }
    const changes = await diff(build(readFileSync(releasedFile, 'utf8')), build(sdl));
    const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking).map((c) => {
      const match = intended.find((i) => i.schema === schema && i.type === c.type && i.path === c.path);
      if (match) used.add(match);
      return { ...c, intended: match };
    });
    reports.push({
      schema, breaking,
      dangerous: changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous),
      safe: changes.filter((c) => c.criticality.level === CriticalityLevel.NonBreaking).length,
    });
  }
  const unexpected = reports.reduce((n, r) => n + r.breaking.filter((c) => !c.intended).length, 0);
  return { reports, unexpected, staleIntended: intended.filter((i) => !used.has(i)) };
}

function readIntended(file: string): IntendedChange[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { changes?: IntendedChange[] };
  for (const c of parsed.changes ?? []) {
    if (!c.schema || !c.type || !c.path || !c.reason) throw new Error(`${file}: every entry needs schema, type, path and reason: ${JSON.stringify(c)}`);
  }
  return parsed.changes ?? [];
}

/** Writes the current schemas as the released ones and empties the list of intended breaks. */
export function release(dir = RELEASES_DIR): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [schema, sdl] of Object.entries(currentSchemas())) {
    writeFileSync(join(dir, `${schema}.graphql`), sdl);
    written.push(`${schema}.graphql`);
  }
  writeFileSync(join(dir, 'intended-changes.json'), `${JSON.stringify({ changes: [] }, null, 2)}\n`);
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--release')) {
    const files = release();
    console.log(`released: ${files.join(', ')} in schema-releases/; intended-changes.json emptied. Commit schema-releases/.`);
  } else {
    const { reports, unexpected, staleIntended } = await checkSchemas();
    for (const r of reports) {
      const head = `${r.schema}: ${r.breaking.length} breaking, ${r.dangerous.length} dangerous, ${r.safe} safe change(s) since the release`;
      console.log(head);
      for (const c of r.breaking) console.log(`  ${c.intended ? 'intended' : 'BREAKING'} ${c.type} ${c.path ?? ''}: ${c.message}${c.intended ? ` (${c.intended.reason})` : ''}`);
      for (const c of r.dangerous) console.log(`  dangerous ${c.type} ${c.path ?? ''}: ${c.message}`);
    }
    for (const i of staleIntended) console.log(`note: intended-changes.json lists ${i.schema} ${i.type} ${i.path}, which is no longer a change: remove it`);
    if (unexpected) {
      console.error(`\n${unexpected} breaking change(s) not listed as intended. Either undo them, or list each in schema-releases/intended-changes.json as {"schema", "type", "path", "reason"} (see docs/development.md), or, when the new schemas are being released, run \`pnpm schema:release\` and commit schema-releases/.`);
      process.exit(1);
    }
    console.log('schemas: no unintended breaking change.');
  }
}
