/**
 * Tracing with OpenTelemetry: off unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, the SDK's standard variables; OTEL_SERVICE_NAME names the process). Each HTTP
 * request is a server span whose parent comes from the W3C `traceparent` header; @apollo/gateway adds its own spans
 * (request, validate, plan, execute, each fetch); the gateway passes `traceparent` on every subgraph fetch; the
 * subgraphs add one span per resolver and one per SQL statement. So one client request is one trace across processes.
 *
 * No span carries a value: SQL spans have the statement with its placeholders, resolver spans the field's name.
 */
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { IncomingHttpHeaders } from 'node:http';
import type { StatementObserver } from '@ansinh/db';
import type { ServiceMetrics } from './metrics.js';

let provider: NodeTracerProvider | undefined;
const tracer = () => trace.getTracer('ansinh');

/** Whether the environment asks for traces to be exported. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the SDK for this process when tracing is configured (or an exporter is given, in tests): spans go to the
 * OTLP/HTTP endpoint in batches. Returns whether tracing is on. Call it before the servers start.
 */
export async function startTracing(serviceName: string, options: { exporter?: SpanExporter } = {}): Promise<boolean> {
  if (provider) return true;
  if (!options.exporter && !tracingConfigured()) return false;
  // the SDK is loaded only when tracing is on: its modules took a good part of every start (docs/operations.md)
  const [{ W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, { BatchSpanProcessor, SimpleSpanProcessor }, { NodeTracerProvider }] = await Promise.all([
    import('@opentelemetry/core'), import('@opentelemetry/exporter-trace-otlp-http'), import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'), import('@opentelemetry/sdk-trace-node'),
  ]);
  if (provider) return true;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || serviceName }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  return true;
}

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/** Sends the spans still buffered (call before the process exits). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** Runs `fn` in a server span for an HTTP request, continuing the caller's trace when it sent `traceparent`. */
export function inServerSpan<T>(headers: IncomingHttpHeaders, name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = propagation.extract(context.active(), headers);
  return tracer().startActiveSpan(name, { kind: SpanKind.SERVER, attributes }, parent, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

/** The trace id of the active span, when tracing records (for log lines). */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Adds `traceparent` (and `tracestate`) of the active span to an outgoing request's headers. */
export function injectTraceHeaders(headers: { set(name: string, value: string): unknown }): void {
  propagation.inject(context.active(), headers, { set: (carrier, key, value) => carrier.set(key, value) });
}

/** Runs `fn` in a span named `name` (a resolver, a step), ending it when the promise settles. */
export function inSpan<T>(name: string, attributes: Attributes, fn: () => T): T {
  return tracer().startActiveSpan(name, { attributes }, (span) => {
    const end = (error?: unknown) => {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { extensions?: { code?: string } }).extensions?.code ?? (error as Error).name });
      span.end();
    };
    try {
      const result = fn();
      if (result && typeof (result as { then?: unknown }).then === 'function') {
        (result as unknown as Promise<unknown>).then(() => end(), end);
      } else end();
      return result;
    } catch (error) {
      end(error);
      throw error;
    }
  });
}

/** SQL statements of a subgraph: counted and timed in its metrics, and a client span each when tracing is on. */
export function sqlObserver(subgraph: string, metrics: ServiceMetrics): StatementObserver {
  return (statement) => {
    const started = process.hrtime.bigint();
    const span = tracingEnabled()
      ? tracer().startSpan(`SQL ${statement.trimStart().split(/\s/, 1)[0]!.toLowerCase()}`, {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': 'postgresql', 'db.statement': statement.slice(0, 2_000), 'ansinh.subgraph': subgraph },
      })
      : undefined;
    return (error) => {
      const outcome = error ? 'error' : 'ok';
      metrics.sqlStatements.inc({ subgraph, outcome });
      metrics.sqlDuration.observe({ subgraph, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
      if (span) {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { code?: string }).code ?? 'error' });
        span.end();
      }
    };
  };
}

type ResolverMap = Record<string, unknown>;

/**
 * Each resolver of the map (fields, `__resolveReference`) wrapped in a span `Type.field`, when tracing is on;
 * the map itself otherwise. Scalars and enums are left as they are.
 */
export function traceResolvers(resolvers: ResolverMap): ResolverMap {
  if (!tracingEnabled()) return resolvers;
  const out: ResolverMap = {};
  for (const [type, fields] of Object.entries(resolvers)) {
    if (!fields || typeof fields !== 'object' || Object.getPrototypeOf(fields) !== Object.prototype) {
      out[type] = fields;
      continue;
    }
    const wrapped: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
      const name = `${type}.${field}`;
      if (typeof value === 'function') {
        wrapped[field] = function (this: unknown, ...args: unknown[]) { return inSpan(name, { 'graphql.field': name }, () => value.apply(this, args)); };
      } else if (value && typeof value === 'object' && typeof (value as { resolve?: unknown }).resolve === 'function') {
        const resolve = (value as { resolve: (...a: unknown[]) => unknown }).resolve;
        wrapped[field] = { ...value, resolve: (...args: unknown[]) => inSpan(name, { 'graphql.field': name }, () => resolve(...args)) };
      } else wrapped[field] = value;
    }
    out[type] = wrapped;
  }
  return out;
}
