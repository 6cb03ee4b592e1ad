/** The credit subgraph: policy loans (Ngân hàng Chính sách xã hội and other lenders) of households. */
import { placementsOf } from '@ansinh/db';
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { isEmpty, loadDemo, loadReference } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const credit = defineSubgraph({
  name: 'credit',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  loadReference,
  isEmpty,
  loadDemo,
  // its copy of the registry, written by the households subgraph's changes (docs/areas.md)
  followsRegistry: true,
  // what creditStatistics' summaries per unit count: loans, their movements, and where their households are
  summarySources: [
    { table: 'loans', units: placementsOf('credit', 'select household_id from changed') },
    { table: 'loan_transactions', units: placementsOf('credit', 'select l.household_id from credit.loans l where l.id in (select loan_id from changed)') },
    { table: 'registry_placements', units: 'select unit_id from changed' },
  ],
});
export * from './import/index.js';
