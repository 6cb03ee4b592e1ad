import { runSubgraph } from '@ansinh/server';
import { households } from './index.js';

await runSubgraph(households, 4001);
