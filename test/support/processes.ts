/** Starting the project's own entry points as processes, for tests of what runs in a deployment. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Started {
  child: ChildProcess;
  /** everything it wrote, stdout and stderr */
  output(): string;
  /** resolves with the first capture group of `pattern` once the output matches it */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export function start(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => { out += d; for (const l of listeners) l(); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs = 240_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(out);
          if (m) { done(); resolve(m[1] ?? m[0]); }
        };
        const exited = () => { done(); reject(new Error(`${args.join(' ')} exited (${child.exitCode}) before ${pattern}:\n${out.slice(-4000)}`)); };
        const timer = setTimeout(() => { done(); reject(new Error(`${args.join(' ')}: no ${pattern} within ${timeoutMs} ms:\n${out.slice(-4000)}`)); }, timeoutMs);
        const done = () => { listeners.delete(check); child.off('exit', exited); clearTimeout(timer); };
        listeners.add(check);
        child.once('exit', exited);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** An in-process OTLP/HTTP receiver (JSON): the spans every process exported to it. */
export interface OtlpSpan { service: string; traceId: string; spanId: string; parentSpanId: string; name: string; attributes: Record<string, unknown> }
