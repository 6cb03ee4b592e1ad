import { runSubgraph } from '@ansinh/server';
import { health } from './index.js';

await runSubgraph(health, 4003);
