/**
 * The explorer: GraphiQL from @graphql-yoga/render-graphiql, a self-contained page (scripts, styles and
 * workers inline), so it works on a closed network. Preloaded with the example operations in operations/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ApolloServerPlugin } from '@apollo/server';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

const OPERATIONS_DIR = fileURLToPath(new URL('../operations/', import.meta.url));

export function exampleOperations(): { name: string; query: string }[] {
  return readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.graphql')).sort()
    .map((f) => ({ name: f.replace(/\.graphql$/, ''), query: readFileSync(OPERATIONS_DIR + f, 'utf8') }));
}

export function explorerPage(): string {
  // the full picture first: it is what most people come to see
  const operations = exampleOperations().sort((a, b) => Number(b.name === 'HouseholdPicture') - Number(a.name === 'HouseholdPicture'));
  const first = operations[0];
  return renderGraphiQL({
    title: 'An Sinh Graph explorer',
    endpoint: '/',
    defaultQuery: first?.query,
    // GraphiQL props: one tab per example operation
    defaultTabs: operations.map((o) => ({ query: o.query })),
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
    // paste a token after "Bearer " (pnpm start prints one per role; see docs/security.md)
    headers: JSON.stringify({ 'apollo-require-preflight': 'true', Authorization: 'Bearer ' }, null, 2),
  } as Parameters<typeof renderGraphiQL>[0]);
}

/** Serves the explorer where Apollo Server would serve its (CDN-loaded) landing page. */
export function explorerPlugin(): ApolloServerPlugin {
  const html = explorerPage();
  return {
    async serverWillStart() {
      return { async renderLandingPage() { return { html }; } };
    },
  };
}
