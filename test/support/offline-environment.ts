/**
 * The unit tier's jest environment: Node's, except that opening a socket, starting a server or
 * resolving a host name throws. Unit tests use in-memory fakes; one that reaches the network
 * fails here with a message saying where it belongs instead of passing on a machine that
 * happens to run the service.
 *
 * Node's core modules are shared by every test file a worker runs, and one jest run mixes the
 * tiers in the same workers: the guards are put on in setup() and taken off in teardown(),
 * which jest calls for every test file, even a failed one.
 */

import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import NodeEnvironment from 'jest-environment-node';

type Restore = () => void;

/** The error a unit test gets when it touches the network. */
export function offlineError(what: string): Error {
  return new Error(
    `unit tests run offline: ${what} is not allowed here. Use an in-memory fake, or move the test to test/integration.`,
  );
}

function guard<T extends object, K extends keyof T>(target: T, key: K, what: string): Restore {
  const original = target[key];
  Object.defineProperty(target, key, {
    configurable: true,
    writable: true,
    value: () => {
      throw offlineError(what);
    },
  });
  return () => {
    Object.defineProperty(target, key, { configurable: true, writable: true, value: original });
  };
}

/** Node's test environment with the network switched off for the duration of one test file. */
export default class OfflineEnvironment extends NodeEnvironment {
  private restores: Restore[] = [];

  override async setup(): Promise<void> {
    await super.setup();
    this.restores = [
      guard(net.Socket.prototype, 'connect', 'opening a socket (net/http/grpc/fetch)'),
      guard(net.Server.prototype, 'listen', 'starting a server'),
      guard(dgram.Socket.prototype, 'bind', 'binding a UDP socket'),
      guard(dgram.Socket.prototype, 'send', 'sending a UDP datagram'),
      guard(dns, 'lookup', 'resolving a host name'),
      guard(dns.promises, 'lookup', 'resolving a host name'),
    ];
  }

  override async teardown(): Promise<void> {
    for (const restore of this.restores.splice(0).reverse()) restore();
    await super.teardown();
  }
}
