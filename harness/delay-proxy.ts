/**
 * A TCP proxy on 127.0.0.1 that holds every chunk of bytes, in both directions, for a
 * settable delay before passing it on (order kept): a slow network or an overloaded server
 * in front of a real dependency, for fault tests and the benchmark.
 */
import { type Socket, createConnection, createServer } from 'node:net';

/** A running proxy. */
export interface DelayProxy {
  /** The port clients connect to. */
  port: number;
  /** Delays bytes by `ms` from now on (0 passes them straight through). */
  setDelay(ms: number): void;
  /** Connections currently open through the proxy. */
  connections(): number;
  /** Bytes received from clients so far (whether or not passed on yet). */
  bytesFromClients(): number;
  /** Stops listening and drops every connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a proxy to `targetHost:targetPort` with no delay. */
export async function startDelayProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<DelayProxy> {
  let delayMs = 0;
  let fromClients = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  /** Copies `from` to `to`, each chunk no earlier than `delayMs` after it arrived, in arrival order. */
  const pipe = (from: Socket, to: Socket) => {
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
      queue.push({ due: Date.now() + delayMs, action });
      if (!timer) drain();
    };
    from.on('data', (chunk) => later(() => to.destroyed || to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    from.on('close', () => later(() => to.destroy()));
    from.on('error', () => to.destroy());
  };

  const server = createServer((client) => {
    const upstream = createConnection({ host: targetHost, port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      fromClients += chunk.length;
    });
    pipe(client, upstream);
    pipe(upstream, client);
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
    connections: () => sockets.size / 2,
    bytesFromClients: () => fromClients,
    close() {
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
