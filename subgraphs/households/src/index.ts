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
});
export * from './import/index.js';
export { publishRegistry, publishStagedRegistry, copyRegistry, registryExtract } from './domain/registry.js';
