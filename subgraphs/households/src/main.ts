/**
 * The households subgraph alone needs the programme subgraphs' code beside it: every change of the registry writes
 * their copies of it in the same transaction (docs/areas.md). That wiring lives in the deployment's launcher.
 */
process.stderr.write('Start the households subgraph with `node --import tsx gateway/src/serve.ts households`: it writes the programme subgraphs\' copies of the registry (docs/areas.md).\n');
process.exit(2);
