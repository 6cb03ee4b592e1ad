/**
 * The process side of graceful shutdown: SIGTERM and SIGINT (a supervisor, a container runtime, Ctrl-C) and the
 * death of the parent process start one orderly stop. The parent watch is for `pnpm start` / `pnpm serve`: pnpm
 * killed alone (SIGTERM to its pid, not to its group) may exit without passing the signal on, and would leave this
 * process serving as an orphan; it notices within half a second and stops as if signalled.
 */
export function onShutdown(stop: (reason: string) => Promise<void>, options: { watchParent?: boolean } = {}): void {
  let stopping = false;
  const once = (reason: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(watch);
    stop(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error)?.message ?? String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => once('SIGINT'));
  process.on('SIGTERM', () => once('SIGTERM'));
  const parent = process.ppid;
  // process.ppid is read afresh each time: it changes when the parent exits and this process is re-parented
  const watch = setInterval(() => { if (options.watchParent !== false && process.ppid !== parent) once('parent process exited'); }, 500);
  watch.unref();
}
