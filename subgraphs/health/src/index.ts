/** The health subgraph: health-insurance (BHYT) cards of household members, and households' coverage. */
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const health = defineSubgraph({
  name: 'health',
  pgSchema: 'health',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  isEmpty,
  loadDemo,
});
export * from './import/index.js';
