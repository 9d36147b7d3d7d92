import { Client, credentials } from '@grpc/grpc-js';

/** One bare grpc-js round trip to a server: the health Check, nothing of recall's around it. */
export interface BareRoundTrip {
  call(): Promise<void>;
  close(): void;
}

const passThrough = (value: Buffer) => value;

/**
 * A raw grpc-js client calling `grpc.health.v1.Health/Check` with an empty request (the
 * overall status) and leaving the answer undecoded: the floor of any call to that server,
 * HTTP/2 and grpc-js on both sides included.
 */
export function openBareRoundTrip(address: string, timeoutMs = 30_000): BareRoundTrip {
  const client = new Client(address, credentials.createInsecure());
  const empty = Buffer.alloc(0);
  return {
    call: () =>
      new Promise<void>((resolve, reject) => {
        client.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          passThrough,
          passThrough,
          empty,
          { deadline: Date.now() + timeoutMs },
          (error) => (error ? reject(error) : resolve()),
        );
      }),
    close: () => client.close(),
  };
}
