/** The housing subgraph: housing support (new builds and repairs) for households, and its funding. */
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo, loadReference } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const housing = defineSubgraph({
  name: 'housing',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  loadReference,
  isEmpty,
  loadDemo,
  // its copy of the registry, written by the households subgraph's changes (docs/areas.md)
  followsRegistry: true,
  // the tables whose writes change the figures kept per unit (db/schema.ts)
  summarySources: tables.summarySources,
});
export * from './import/index.js';
