/**
 * `POST /import` on the gateway: an authenticated multipart upload. Each file part is named after its kind
 * (households, members, …, or any name when the file name tells the kind) and is parsed as it streams in (busboy
 * → csv-parse), never held whole in memory. `?dryRun=true` validates only. Answers the import report as JSON:
 * 200 applied or validated, 422 rejected (every bad row listed), 401/403 for the caller, 400 for a bad request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { HttpError, log, recordOf, rootCause, safeError, sendJson, type ImportCaller, type ServiceMetrics, writeFailureCause, writeHealth } from '@ansinh/server';
import { FILE_KINDS, ImportConflict, ImportSession, isFileKind, kindFromName, type ImportReport, type SubgraphDbs } from './orchestrator.js';

export interface ImportRouteOptions {
  dbs: SubgraphDbs;
  /** the caller, or an HttpError 401/403 (importAuthenticator in auth.ts) */
  authenticate: (req: IncomingMessage) => Promise<ImportCaller>;
  /** largest upload, all files together (bytes) */
  maxBytes?: number;
  /** one import at a time per process: the PGlite connection is shared, and imports are large */
  lock?: { busy: boolean; holder?: string };
  /** imports and import rows are counted here */
  metrics?: ServiceMetrics;
}

/** Counts import rows into the metrics: added/changed/unchanged per kind, and bad values per kind of file. */
function countRows(metrics: ServiceMetrics | undefined, report: ImportReport): void {
  if (!metrics) return;
  metrics.imports.inc({ status: report.status });
  if (report.status === 'rejected') {
    const kindOf = new Map(report.files.map((f) => [f.name, f.kind]));
    for (const i of report.issues) metrics.importRows.inc({ kind: kindOf.get(i.file) ?? 'unknown', result: 'bad_value' });
    return;
  }
  for (const [kind, c] of Object.entries(report.counts)) {
    for (const result of ['added', 'changed', 'unchanged'] as const) if (c![result]) metrics.importRows.inc({ kind, result }, c![result]);
  }
}

export function importRoute(options: ImportRouteOptions) {
  const lock = options.lock ?? { busy: false };
  const maxBytes = options.maxBytes ?? 500_000_000;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const caller = await options.authenticate(req);
    const record = recordOf(req);
    if (record) Object.assign(record, { subject: caller.sub, role: caller.role, operation: 'import' });
    const url = new URL(req.url ?? '/', 'http://localhost');
    const dryRun = ['true', '1', 'yes'].includes(url.searchParams.get('dryRun') ?? '');
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      throw new HttpError(400, 'BAD_REQUEST', 'Send the CSV files as multipart/form-data, one part per file');
    }
    if (lock.busy) throw new HttpError(409, 'CONFLICT', `Another import is running: ${lock.holder ?? 'in this process'}; try again when it has finished`);
    lock.busy = true;
    lock.holder = `${caller.sub} (${caller.role}) request ${record?.requestId ?? '-'}, started ${new Date().toISOString()}`;
    try {
      const session = new ImportSession(options.dbs, caller);
      let files = 0;
      let problem: HttpError | undefined;
      // parts are read one after the other, in the order they arrive, each straight into its parser
      let chain = Promise.resolve();
      await new Promise<void>((resolve, reject) => {
        const bb = busboy({ headers: req.headers, limits: { fileSize: maxBytes, files: 20 } });
        bb.on('file', (field, stream, info) => {
          const kind = isFileKind(field) ? field : kindFromName(info.filename ?? '');
          if (!kind) {
            problem ??= new HttpError(400, 'BAD_REQUEST', `Part "${field}" (${info.filename}): name the part after the kind of its rows (${FILE_KINDS.join(', ')})`);
            stream.resume();
            return;
          }
          files += 1;
          stream.on('limit', () => { problem ??= new HttpError(413, 'PAYLOAD_TOO_LARGE', `${info.filename} is larger than ${maxBytes} bytes`); });
          const name = info.filename || `${kind}.csv`;
          chain = chain.then(() => session.addFile(kind, stream, name));
        });
        bb.on('error', reject);
        bb.on('close', () => resolve());
        req.pipe(bb);
      });
      await chain;
      if (problem) throw problem;
      if (!files) throw new HttpError(400, 'BAD_REQUEST', `No file in the upload: send one part per CSV file, named after its kind (${FILE_KINDS.join(', ')})`);
      let report: ImportReport;
      try {
        report = await session.finish({ dryRun });
      } catch (error) {
        if (error instanceof ImportConflict) {
          options.metrics?.imports.inc({ status: 'conflict' });
          throw new HttpError(409, 'CONFLICT', `${error.message[0]!.toUpperCase()}${error.message.slice(1)}`);
        }
        const writeCause = writeFailureCause(error);
        if (writeCause) {
          writeHealth.failed(writeCause);
          options.metrics?.imports.inc({ status: 'failed' });
          log.error({ service: record?.service, requestId: record?.requestId, subject: caller.sub, role: caller.role, dryRun, ...session.summary(), cause: writeCause }, 'import failed: database write failed, nothing was written');
          throw new HttpError(503, 'DATABASE_WRITE_FAILED', `The import could not write to the database: ${writeCause}. Nothing was written; import again when the operators have fixed it.`);
        }
        // counts and the cause, never the rows: a driver's error carries the statement's parameters (every value)
        const counts = session.summary();
        options.metrics?.imports.inc({ status: 'failed' });
        log.error({ service: record?.service, requestId: record?.requestId, subject: caller.sub, role: caller.role, dryRun, ...counts, err: safeError(error) }, 'import failed: nothing was written');
        throw new HttpError(500, 'INTERNAL_SERVER_ERROR', `The import failed and wrote nothing (${rootCause(error)}). Quote request ${record?.requestId ?? '-'} to the operators.`);
      }
      if (report.status === 'applied' && !report.noChange) writeHealth.succeeded();
      countRows(options.metrics, report);
      if (record) record.extra.import = { status: report.status, dryRun, files: report.files.length, issues: report.issues.length, counts: report.counts };
      sendJson(res, report.status === 'rejected' ? 422 : 200, { ...report, caller: { sub: caller.sub, role: caller.role, units: caller.units } });
    } finally {
      lock.busy = false;
    }
  };
}
