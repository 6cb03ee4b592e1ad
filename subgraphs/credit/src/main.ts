import { runSubgraph } from '@ansinh/server';
import { credit } from './index.js';

await runSubgraph(credit, 4002);
