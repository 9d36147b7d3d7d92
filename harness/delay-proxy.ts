/**
 * A TCP proxy on 127.0.0.1 that holds every chunk of bytes, in both directions, for a
 * settable delay before passing it on (order kept): a slow network or an overloaded server
 * in front of a real dependency, for fault tests and the benchmark. For a request/response
 * protocol (HTTP/1.1) it can also slow the service itself: with `setSlowdown(k)` each answer
 * reaches the client k times as long after its request as the service took to give it.
 */
import { type Socket, createConnection, createServer } from 'node:net';

/** A running proxy. */
export interface DelayProxy {
  /** The port clients connect to. */
  port: number;
  /** Delays bytes by `ms` from now on (0 passes them straight through). */
  setDelay(ms: number): void;
  /** Makes each answer take `factor` × the service's own time (1 = as fast as the service). */
  setSlowdown(factor: number): void;
  /** Connections currently open through the proxy. */
  connections(): number;
  /** Bytes received from clients so far (whether or not passed on yet). */
  bytesFromClients(): number;
  /** Connections the client closed while it was still waiting for an answer (requests it gave up on). */
  abandoned(): number;
  /** Stops listening and drops every connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a proxy to `targetHost:targetPort` with no delay. */
export async function startDelayProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<DelayProxy> {
  let delayMs = 0;
  let fromClients = 0;
  let slowdown = 1;
  let abandoned = 0;
  let closing = false;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  /** Copies `from` to `to`, each chunk no earlier than `extraMs()` after it arrived, in arrival order. */
  const pipe = (from: Socket, to: Socket, extraMs: () => number = () => delayMs) => {
    const queue: Array<{ due: number; action: () => void }> = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      if (timer) timers.delete(timer);
      timer = undefined;
      while (queue.length > 0 && (queue[0] as { due: number }).due <= Date.now()) queue.shift()?.action();
      const next = queue[0];
      if (next) {
        timer = setTimeout(drain, next.due - Date.now());
        timers.add(timer);
      }
    };
    const later = (action: () => void) => {
      // After close() nothing is passed on: a late chunk must not keep a timer (and the process) alive.
      if (closing) return;
      const due = Math.max(Date.now() + extraMs(), queue.at(-1)?.due ?? 0);
      queue.push({ due, action });
      if (!timer) drain();
    };
    from.on('data', (chunk) => later(() => to.destroyed || to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    from.on('close', () => later(() => to.destroy()));
    from.on('error', () => to.destroy());
    return { queued: () => queue.length };
  };

  const server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    // The answer's extra delay is fixed by its first chunk: (slowdown - 1) × the service's time.
    let requestAt: number | undefined;
    let answerExtraMs = 0;
    client.on('data', (chunk: Buffer) => {
      fromClients += chunk.length;
      requestAt = Date.now();
    });
    upstream.on('data', () => {
      if (requestAt === undefined) return;
      answerExtraMs = (slowdown - 1) * (Date.now() - requestAt);
      requestAt = undefined;
    });
    pipe(client, upstream);
    const answers = pipe(upstream, client, () => delayMs + answerExtraMs);
    client.once('close', () => {
      if (requestAt !== undefined || answers.queued() > 0) abandoned += 1;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  let closed: Promise<void> | undefined;
  return {
    port,
    setDelay(ms: number) {
      delayMs = Math.max(0, ms);
    },
    setSlowdown(factor: number) {
      slowdown = Math.max(1, factor);
    },
    connections: () => sockets.size / 2,
    bytesFromClients: () => fromClients,
    abandoned: () => abandoned,
    close() {
      closing = true;
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
