/** The health subgraph: health-insurance (BHYT) cards of household members, and households' coverage. */
import { placementsOf } from '@ansinh/db';
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo, loadReference } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const health = defineSubgraph({
  name: 'health',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  loadReference,
  isEmpty,
  loadDemo,
  // its copy of the registry, written by the households subgraph's changes (docs/areas.md)
  followsRegistry: true,
  // what healthStatistics' and coverage's summaries per unit count: cards, their support layers, where their
  // households are, and the reviews (a review changes a household's coverage group and its persons)
  summarySources: [
    { table: 'insurance_cards', units: placementsOf('health', 'select household_id from changed') },
    { table: 'support_layers', units: placementsOf('health', 'select c.household_id from health.insurance_cards c where c.id in (select card_id from changed)') },
    { table: 'registry_placements', units: 'select unit_id from changed' },
    { table: 'registry_reviews', units: placementsOf('health', 'select household_id from changed') },
  ],
});
export * from './import/index.js';
