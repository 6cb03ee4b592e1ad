/**
 * Prometheus metrics with prom-client, one registry per service (the gateway, each subgraph, the import endpoint),
 * served at `/metrics` by that service's HTTP front, with the process's own metrics (CPU, memory, event loop, GC)
 * beside them. Every metric carries `service` as a label. Labels are bounded: operation names are the client's, so
 * only the first 200 distinct well-formed names get their own series (then "other").
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '@ansinh/db';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SQL_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

let processRegistry: Registry | undefined;
/** CPU, memory, event loop lag, GC (ansinh_process_*, ansinh_nodejs_*): once per process, whatever the number of services in it. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'ansinh_' });
  }
  return processRegistry;
}

const MAX_OPERATIONS = 200;

export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();

  readonly requests: Counter<'operation' | 'outcome'>;
  readonly requestDuration: Histogram<'operation' | 'outcome'>;
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  readonly subgraphFetchErrors: Counter<'subgraph' | 'reason'>;
  readonly subgraphRetries: Counter<'subgraph'>;
  readonly rateLimited: Counter;
  readonly sqlStatements: Counter<'subgraph' | 'outcome'>;
  readonly sqlDuration: Histogram<'subgraph' | 'outcome'>;
  readonly importRows: Counter<'kind' | 'result'>;
  readonly imports: Counter<'status'>;
  private readonly pools = new Map<string, PoolStats>();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    const registers = [this.registry];
    this.requests = new Counter({ name: 'ansinh_requests_total', help: 'GraphQL requests by operation name and outcome (ok, partial, failed, rejected, rate_limited, error)', labelNames: ['operation', 'outcome'], registers });
    this.requestDuration = new Histogram({ name: 'ansinh_request_duration_seconds', help: 'GraphQL request latency, from the first byte read to the last byte written', labelNames: ['operation', 'outcome'], buckets: SECONDS, registers });
    this.subgraphFetchDuration = new Histogram({ name: 'ansinh_subgraph_fetch_duration_seconds', help: 'Gateway: latency of each subgraph fetch (retries included)', labelNames: ['subgraph', 'outcome'], buckets: SECONDS, registers });
    this.subgraphFetchErrors = new Counter({ name: 'ansinh_subgraph_fetch_errors_total', help: 'Gateway: subgraph fetches that failed, by reason (timeout, connection refused, http_5xx, …)', labelNames: ['subgraph', 'reason'], registers });
    this.subgraphRetries = new Counter({ name: 'ansinh_subgraph_fetch_retries_total', help: 'Gateway: retries of idempotent subgraph fetches', labelNames: ['subgraph'], registers });
    this.rateLimited = new Counter({ name: 'ansinh_rate_limited_total', help: 'Requests refused with 429 by the per-client rate limit', registers });
    this.sqlStatements = new Counter({ name: 'ansinh_sql_statements_total', help: 'SQL statements sent, by subgraph and outcome (ok, error)', labelNames: ['subgraph', 'outcome'], registers });
    this.sqlDuration = new Histogram({ name: 'ansinh_sql_statement_duration_seconds', help: 'SQL statement duration, by subgraph', labelNames: ['subgraph', 'outcome'], buckets: SQL_SECONDS, registers });
    this.importRows = new Counter({ name: 'ansinh_import_rows_total', help: 'Import rows by kind and result (added, changed, unchanged: as applied or validated)', labelNames: ['kind', 'result'], registers });
    this.imports = new Counter({ name: 'ansinh_imports_total', help: 'Imports by status (applied, validated, rejected, failed)', labelNames: ['status'], registers });
    const pools = this.pools;
    new Gauge({
      name: 'ansinh_db_pool_connections', help: 'Database connections of the pool: max (its size) and busy (running a statement or holding a transaction)',
      labelNames: ['pool', 'state'], registers,
      collect() {
        this.reset();
        for (const [pool, s] of pools) {
          this.set({ pool, state: 'max' }, s.max);
          this.set({ pool, state: 'busy' }, s.busy);
        }
      },
    });
  }

  /** Reports the use of a database pool (by name) in `ansinh_db_pool_connections`. */
  watchPool(name: string, stats: PoolStats): void {
    this.pools.set(name, stats);
  }

  /** The label for a client's operation name. */
  operation(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'invalid';
    if (this.operations.has(name)) return name;
    if (this.operations.size >= MAX_OPERATIONS) return 'other';
    this.operations.add(name);
    return name;
  }

  /** The text Prometheus scrapes: this service's metrics and the process's. */
  async text(): Promise<{ contentType: string; body: string }> {
    // concatenated, not Registry.merge: a merged registry drops this one's default label (service)
    const body = `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
    return { contentType: this.registry.contentType, body };
  }
}
