/** The housing subgraph: housing support (new builds and repairs) for households, and its funding. */
import { registryFollower } from '@ansinh/db';
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo, loadReference } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const housing = defineSubgraph({
  name: 'housing',
  pgSchema: 'housing',
  packageUrl: import.meta.url,
  tables,
  unitTables: { units: tables.units, unitLinks: tables.unitLinks },
  resolvers,
  context: createContext,
  loadReference,
  isEmpty,
  loadDemo,
  // its copy of the registry, written by the households subgraph's changes (docs/areas.md)
  follower: (db) => registryFollower(db, 'housing', tables),
});
export * from './import/index.js';
