import dns from 'node:dns/promises';
import { createServer, request } from 'node:http';
import net from 'node:net';

// The unit tier's environment (test/support/offline-environment.ts) must stop a test that
// reaches for the network, so "npm run test:unit" stays fast and runs anywhere.
describe('the unit tier is offline', () => {
  it('refuses to start a server', () => {
    expect(() => createServer().listen(0, '127.0.0.1')).toThrow(/unit tests run offline: starting a server/);
  });

  it('refuses to open a socket, even to this machine', () => {
    expect(() => net.connect(5432, '127.0.0.1')).toThrow(/unit tests run offline: opening a socket/);
    expect(() => request('http://127.0.0.1:5432/').end()).toThrow(/move the test to test\/integration/);
  });

  it('makes fetch fail instead of reaching a service', async () => {
    const failure: unknown = await fetch('http://127.0.0.1:5432/').catch((error: unknown) => error);
    expect(String((failure as Error).cause)).toMatch(/unit tests run offline: opening a socket/);
  });

  it('refuses to resolve a host name', () => {
    expect(() => dns.lookup('localhost')).toThrow(/unit tests run offline: resolving a host name/);
  });
});
