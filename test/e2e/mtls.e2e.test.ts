import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Metadata, type ServiceError, credentials, status } from '@grpc/grpc-js';
import { createTestDatabase } from '../../harness/postgres';
import { ListFactsRequest, MemoryServiceClient } from '../../src/gen/recall/v1/memory';
import { requireService } from '../support/require-service';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/** Runs openssl in `dir`; CI fails here (never skips) when openssl is missing. */
function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA (key + self-signed cert) named `name` in `dir`. */
function makeCa(dir: string, name: string): void {
  openssl(
    dir,
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`].concat([
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ]),
  );
}

/** A key and a certificate signed by `ca`, with the given extensions. */
function makeCert(dir: string, name: string, ca: string, extensions: string): void {
  writeFileSync(path.join(dir, `${name}.ext`), `${extensions}\n`);
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${name}`,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
  ]);
  openssl(
    dir,
    ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial'].concat([
      '-days',
      '1',
      '-out',
      `${name}.crt`,
      '-extfile',
      `${name}.ext`,
    ]),
  );
}

/**
 * Mutual TLS (TLS_CLIENT_CA_FILE): only a client presenting a certificate signed by the
 * configured CA is served; one without a certificate, or with one from another CA, is refused.
 * Certificates are made with openssl at test time.
 */
describe('mutual TLS', () => {
  let dir: string;
  let dataDir: string;
  let server: ServerProcess;
  let dropDatabase: () => Promise<void>;
  const file = (name: string) => readFileSync(path.join(dir, name));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'recall-mtls-'));
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    makeCert(dir, 'server', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth');
    makeCert(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth');
    makeCert(dir, 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth');
    const db = await createTestDatabase(requireService('postgres'));
    dropDatabase = db.drop;
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-mtls-data-'));
    server = await startServerProcess({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      PG_POOL_MIN: '1',
      TLS_CERT_FILE: path.join(dir, 'server.crt'),
      TLS_KEY_FILE: path.join(dir, 'server.key'),
      TLS_CLIENT_CA_FILE: path.join(dir, 'ca.crt'),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await dropDatabase?.();
    for (const d of [dir, dataDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** ListFacts over TLS trusting our CA, presenting `client`'s certificate if named; resolves to the status code. */
  function listFactsAs(client?: string): Promise<number> {
    const creds = client
      ? credentials.createSsl(file('ca.crt'), file(`${client}.key`), file(`${client}.crt`))
      : credentials.createSsl(file('ca.crt'));
    const stub = new MemoryServiceClient(server.grpcAddress, creds);
    return new Promise<number>((resolve) => {
      stub.listFacts(
        ListFactsRequest.fromPartial({ userId: 'mtls' }),
        new Metadata(),
        { deadline: Date.now() + 10_000 },
        (error: ServiceError | null) => {
          stub.close();
          resolve(error ? error.code : status.OK);
        },
      );
    });
  }

  it('serves a client whose certificate the CA signed', async () => {
    expect(await listFactsAs('client')).toBe(status.OK);
  });

  it('refuses a client without a certificate', async () => {
    expect(await listFactsAs()).toBe(status.UNAVAILABLE);
  });

  it('refuses a client whose certificate another CA signed', async () => {
    expect(await listFactsAs('stranger')).toBe(status.UNAVAILABLE);
  });

  it('refuses a plaintext client', async () => {
    const stub = new MemoryServiceClient(server.grpcAddress, credentials.createInsecure());
    const code = await new Promise<number>((resolve) =>
      stub.listFacts(
        ListFactsRequest.fromPartial({ userId: 'mtls' }),
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (error) => {
          stub.close();
          resolve(error ? error.code : status.OK);
        },
      ),
    );
    expect(code).not.toBe(status.OK);
  });
});
