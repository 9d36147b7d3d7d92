import type { ServiceDefinition } from '@grpc/grpc-js';
import { createGrpcServer } from '../../../src/grpc/server';

/** The server is built before the services' implementations exist; these guard that hand-over. */
describe('gRPC server: services added after construction', () => {
  const options = { host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, serviceNames: ['test.v1.A', 'test.v1.B'] };
  /** A one-method service named `name`. */
  const service = (name: string) => ({
    definition: {
      ping: {
        path: `/${name}/Ping`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    } as ServiceDefinition,
    implementation: { ping: () => undefined },
  });

  it('refuses to start while a named service was never added, naming it', async () => {
    const server = createGrpcServer(options);
    server.addService('test.v1.A', service('test.v1.A'));
    await expect(server.start()).rejects.toThrow('gRPC services never added: test.v1.B');
  });

  it('refuses a service it was not told about, and the same service twice', () => {
    const server = createGrpcServer(options);
    expect(() => server.addService('test.v1.C', service('test.v1.C'))).toThrow('test.v1.C is not named');
    server.addService('test.v1.A', service('test.v1.A'));
    expect(() => server.addService('test.v1.A', service('test.v1.A'))).toThrow(
      'test.v1.A is not named in serviceNames or was added twice',
    );
  });
});
