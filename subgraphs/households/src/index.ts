/** The households subgraph: the registry of poor and near-poor households, members, units and reviews. */
import { defineSubgraph } from '@ansinh/server';
import { createContext } from './context.js';
import * as tables from './db/schema.js';
import { giveFollowersTheirCopy, isEmpty, loadDemo } from './demo.js';
import { resolvers } from './resolvers/index.js';

export const households = defineSubgraph({
  name: 'households',
  packageUrl: import.meta.url,
  tables,
  resolvers,
  context: createContext,
  isEmpty,
  loadDemo,
  afterPrepare: giveFollowersTheirCopy,
  // what areaStatistics' summaries per unit count: the assessments, each in its own unit. A household's assessment
  // changes the counts of every unit its assessments sit in, not only its own: the year's latest assessment
  // supersedes an earlier one of the year in another unit, and each review is the previous one (or an "ever poor
  // before") of the household's later reviews, wherever those are counted
  summarySources: [
    { table: 'assessments', units: 'select unit_id from changed union select a.unit_id from households.assessments a where a.household_id in (select household_id from changed)' },
  ],
});
export * from './import/index.js';
export { publishRegistry, publishStagedRegistry, copyRegistry, registryExtract } from './domain/registry.js';
