/**
 * Composes the four subgraph schemas into supergraph.graphql with @apollo/composition (Rover would download a
 * plugin). `--check` fails when composition fails or the committed file differs from a fresh composition.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPHS, SUPERGRAPH_FILE, schemaFile } from './subgraphs.js';

export function compose(): string {
  const result = composeServices(SUBGRAPHS.map((s) => ({
    name: s.name,
    url: `http://127.0.0.1:${s.port}/`,
    typeDefs: parse(readFileSync(schemaFile(s.name), 'utf8')),
  })));
  if (result.errors) {
    throw new Error(`Composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  let sdl: string;
  try {
    sdl = compose();
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
  if (check) {
    const committed = existsSync(SUPERGRAPH_FILE) ? readFileSync(SUPERGRAPH_FILE, 'utf8') : '';
    if (committed !== sdl) {
      console.error('supergraph.graphql is stale: run `pnpm compose` and commit it.');
      process.exit(1);
    }
    console.log('supergraph.graphql composes and is up to date.');
  } else {
    writeFileSync(SUPERGRAPH_FILE, sdl);
    console.log(`wrote ${SUPERGRAPH_FILE}`);
  }
}
