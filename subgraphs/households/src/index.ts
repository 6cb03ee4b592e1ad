/** The households subgraph: the registry of poor and near-poor households, members, units and reviews. */
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const households = defineSubgraph({
  name: 'households',
  pgSchema: 'households',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  isEmpty,
  loadDemo,
});
export * from './import/index.js';
