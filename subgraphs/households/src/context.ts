import { bulkInsert, type Db, type RegistryFollower } from '@ansinh/db';
import { AccessRecorder, LoggedReads, type Caller, type SubgraphOptions } from '@ansinh/server';
import * as tables from './db/schema.js';
import { callerArea } from './access.js';
import { createLoaders, type Loaders } from './loaders.js';

export type HouseholdsDb = Db<typeof tables>;

export interface Context {
  db: HouseholdsDb;
  /** the caller the gateway vouched for */
  caller: Caller;
  /** the unit ids of the caller's area (null: everywhere), resolved once per request */
  area: () => Promise<string[] | null>;
  loaders: Loaders;
  /** sensitive reads of this request, written to households.access_log when the response is sent */
  access: AccessRecorder;
  /** the programme subgraphs' copies of the registry, written in the transaction of every change (docs/areas.md) */
  followers: RegistryFollower[];
}

/** what this process has logged per request (one client request may call this subgraph more than once) */
const logged = new LoggedReads();

export function createContext(db: HouseholdsDb, caller: Caller, options: SubgraphOptions = {}): Context {
  const area = callerArea(db, caller);
  return {
    db, caller, area, loaders: createLoaders(db, caller, area), followers: options.followers ?? [],
    access: new AccessRecorder(caller, (rows) => bulkInsert(db, tables.accessLog, rows), logged),
  };
}
