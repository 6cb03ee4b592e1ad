/**
 * Graceful shutdown of a node:http server that finishes what it accepted.
 *
 * `server.close()` alone stops accepting but leaves kept-alive sockets open; `closeIdleConnections()` destroys any
 * socket without a parsed request, including one whose next request is already in the kernel's buffer or half read,
 * and `closeAllConnections()` cuts responses still being written. Here instead:
 * - every request that arrives (also on a kept-alive socket during the drain) is answered, with `Connection: close`,
 *   so node closes the socket once the answer is written (flushed, not cut) and the client opens a fresh connection
 *   (to another instance) for its next request;
 * - the listener closes after a short settle delay (connections in its backlog would be reset), and a socket is
 *   closed as idle only when nothing has arrived on it since its last answer (no byte read);
 * - at the end of the grace period whatever is left is destroyed.
 * Written here rather than taken from a library (stoppable, http-terminator) because those close idle sockets at once
 * or answer with a fixed delay, which is the reset this avoids.
 */
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

interface SocketState {
  /** requests on this socket whose response has not closed yet */
  active: number;
  /** socket.bytesRead when its last response closed (or when it connected) */
  readAtIdle: number;
  /** when it connected, while it has not answered any request yet */
  fresh?: number;
}

export interface Drainer {
  /** Whether `drain` has been called. */
  readonly draining: boolean;
  /** Stops accepting, answers what arrives, closes sockets as they fall idle; resolves once all are closed. */
  drain(graceMs: number): Promise<void>;
}

/**
 * How long after the drain starts the listener closes and idle sockets are first checked: connections and requests
 * already on the wire are accepted and read by then.
 */
const SETTLE_MS = 150;
/** How long a connection that has sent nothing yet is waited for (a client opened it to send a request). */
const FRESH_MS = 2_000;

export function drainable(server: Server): Drainer {
  const sockets = new Map<Socket, SocketState>();
  let draining = false;
  let drained: Promise<void> | undefined;
  const closeIfIdle = (socket: Socket, state: SocketState) => {
    if (state.active !== 0 || socket.bytesRead !== state.readAtIdle) return;
    // a connection just accepted has a request on its way: it is idle only once it stays silent for a while
    if (state.fresh !== undefined && Date.now() - state.fresh < FRESH_MS) return;
    socket.destroy();
  };
  server.on('connection', (socket: Socket) => {
    const state: SocketState = { active: 0, readAtIdle: socket.bytesRead, fresh: Date.now() };
    sockets.set(socket, state);
    socket.once('close', () => sockets.delete(socket));
  });
  // before the server's own handler, so the header is set before anything is written
  server.prependListener('request', (req, res: ServerResponse) => {
    const socket = req.socket;
    const state = sockets.get(socket);
    if (!state) return;
    state.active += 1;
    if (draining) res.setHeader('connection', 'close');
    state.fresh = undefined;
    res.once('close', () => {
      state.active -= 1;
      state.readAtIdle = socket.bytesRead;
    });
  });
  // a response started before the drain, written after it began: tell the client not to reuse the socket
  const markClosing = () => {
    for (const socket of sockets.keys()) {
      const res = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
      if (res && !res.headersSent) res.setHeader('connection', 'close');
    }
  };
  return {
    get draining() { return draining; },
    drain: (graceMs) => (drained ??= new Promise<void>((resolve) => {
      draining = true;
      if (!server.listening && sockets.size === 0) return resolve();
      markClosing();
      const sweep = () => { for (const [socket, state] of sockets) closeIfIdle(socket, state); };
      let idle: NodeJS.Timeout | undefined;
      const force = setTimeout(() => { for (const socket of sockets.keys()) socket.destroy(); }, graceMs);
      const done = () => { clearTimeout(settle); clearInterval(idle); clearTimeout(force); resolve(); };
      // the listener stays open a moment: connections already in its backlog (not yet accepted) would be reset by
      // closing it; they are accepted and answered with Connection: close like the rest
      const settle = setTimeout(() => {
        sweep();
        idle = setInterval(sweep, 50);
        // net.Server's close: node:http's own (since Node 19) would first destroy every socket it deems idle
        if (server.listening) NetServer.prototype.close.call(server, () => done());
        else if (sockets.size === 0) done();
        else server.once('close', done);
      }, SETTLE_MS);
    })),
  };
}
