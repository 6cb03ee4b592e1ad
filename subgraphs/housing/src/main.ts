import { runSubgraph } from '@ansinh/server';
import { housing } from './index.js';

await runSubgraph(housing, 4004);
