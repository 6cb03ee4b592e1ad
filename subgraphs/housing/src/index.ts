/** The housing subgraph: housing support (new builds and repairs) for households, and its funding. */
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const housing = defineSubgraph({
  name: 'housing',
  pgSchema: 'housing',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  isEmpty,
  loadDemo,
});
export * from './import/index.js';
