/** The housing subgraph: housing support (new builds and repairs) for households, and its funding. */
import { placementsOf } from '@ansinh/db';
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
  // what housingStatistics' summaries per unit count: supports, their funding, and where their households are
  summarySources: [
    { table: 'supports', units: placementsOf('housing', 'select household_id from changed') },
    { table: 'funding_lines', units: placementsOf('housing', 'select s.household_id from housing.supports s where s.id in (select support_id from changed)') },
    { table: 'registry_placements', units: 'select unit_id from changed' },
  ],
});
export * from './import/index.js';
