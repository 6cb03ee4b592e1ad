/**
 * Types for the example client: GraphQL Code Generator's client preset, run through @graphql-codegen/core (its CLI
 * 6/7 needs Node 22; docs/development.md). The schema is the API schema of the committed supergraph.graphql (what
 * the gateway serves), or, with `--url <gateway>` (and `--token`), the gateway's own introspection: the same
 * types either way. The operations are operations/*.graphql. Output: src/gql/ (committed, so a reader sees the
 * generated types; test/example-client.test.ts fails when they are stale).
 *
 *   pnpm --filter @ansinh/example-client codegen                     # from supergraph.graphql
 *   pnpm --filter @ansinh/example-client codegen --url http://localhost:4000/ --token <jwt>
 *   pnpm --filter @ansinh/example-client codegen --check             # exit 1 when src/gql/ is not what it generates
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { codegen } from '@graphql-codegen/core';
import { preset } from '@graphql-codegen/client-preset';
import { Supergraph } from '@apollo/federation-internals';
import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, parse, printSchema, type GraphQLSchema } from 'graphql';

const HERE = dirname(fileURLToPath(import.meta.url));
export const OUTPUT_DIR = join(HERE, 'src/gql/');
const OPERATIONS_DIR = join(HERE, 'operations/');
const SUPERGRAPH = join(HERE, '../../supergraph.graphql');

/**
 * How the schema's scalars are typed (the `scalars` mapping a client's codegen config needs; docs/api.md):
 * Date is an ISO 8601 string (YYYY-MM-DD), VND a whole number of đồng.
 */
export const SCALARS = { Date: 'string', VND: 'number' } as const;

/** The API schema of the committed supergraph (federation's join__ machinery and @inaccessible fields removed). */
export function supergraphApiSchema(file = SUPERGRAPH): GraphQLSchema {
  return Supergraph.build(readFileSync(file, 'utf8')).apiSchema().toGraphQLJSSchema();
}

/** The schema as the gateway at `url` introspects it (the standard introspection query passes its limits). */
export async function gatewaySchema(url: string, token?: string): Promise<GraphQLSchema> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: getIntrospectionQuery({ specifiedByUrl: true }) }),
  });
  const body = await res.json() as { data?: any; errors?: { message: string }[] };
  if (!body.data) throw new Error(`introspection of ${url} failed: ${body.errors?.map((e) => e.message).join('; ') ?? res.status}`);
  return buildClientSchema(body.data);
}

/** The generated files (path → text) for a schema. */
export async function generate(schema: GraphQLSchema): Promise<Map<string, string>> {
  const sorted = lexicographicSortSchema(schema);
  const documents = readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.graphql')).sort().map((f) => {
    const rawSDL = readFileSync(join(OPERATIONS_DIR, f), 'utf8');
    return { location: `operations/${f}`, document: parse(rawSDL), rawSDL };
  });
  const config = { scalars: SCALARS, strictScalars: true, useTypeImports: true, enumType: 'const', emitLegacyCommonJSImports: false };
  const sections = await preset.buildGeneratesSection({
    baseOutputDir: OUTPUT_DIR, schema: parse(printSchema(sorted)), schemaAst: sorted, documents,
    plugins: [], pluginMap: {}, config, presetConfig: { fragmentMasking: false },
  } as any);
  const out = new Map<string, string>();
  for (const section of sections) out.set(section.filename, await codegen({ ...section, schemaAst: sorted } as any));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { url: { type: 'string' }, token: { type: 'string' }, check: { type: 'boolean' } } });
  const schema = values.url ? await gatewaySchema(values.url, values.token) : supergraphApiSchema();
  const files = await generate(schema);
  let stale = 0;
  for (const [file, text] of files) {
    if (values.check) {
      let current = '';
      try { current = readFileSync(file, 'utf8'); } catch { /* missing */ }
      if (current !== text) { stale++; console.error(`stale: ${file}`); }
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  if (stale) process.exit(1);
  console.log(values.check ? `src/gql/ is current (${files.size} files)` : `wrote ${files.size} files to src/gql/`);
}
