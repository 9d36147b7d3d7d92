import { EventEmitter } from 'node:events';
import { Metadata, type ServerUnaryCall, type ServiceError, status } from '@grpc/grpc-js';
import { InvalidArgumentError, UnauthenticatedError } from '../../../../src/domain/errors';
import { grpcJsHandler, parseMethodPath } from '../../../../src/grpc/middleware/grpc-js-handler';
import type { RpcCall } from '../../../../src/grpc/middleware/middleware';

/** A grpc-js server call reduced to what the adapter touches. */
function grpcCall(request: unknown) {
  const emitter = new EventEmitter();
  const headers: Metadata[] = [];
  const call = Object.assign(emitter, {
    request,
    metadata: new Metadata(),
    getDeadline: () => Number.POSITIVE_INFINITY,
    sendMetadata: (md: Metadata) => headers.push(md),
  });
  return { call: call as unknown as ServerUnaryCall<unknown, unknown>, emitter, headers };
}

/** Runs one call through the adapter and resolves with what grpc-js's callback received. */
function serve(run: (call: RpcCall<unknown>) => Promise<unknown>, request: unknown = { userId: 'u1' }) {
  const { call } = grpcCall(request);
  return new Promise<{ error: Partial<ServiceError> | null; response?: unknown }>((resolve) =>
    grpcJsHandler(parseMethodPath('/recall.v1.MemoryService/ListFacts'), run)(call, (error, response) =>
      resolve({ error: error as Partial<ServiceError> | null, response }),
    ),
  );
}

describe('grpc-js adapter', () => {
  it('answers with the response the chain returns', async () => {
    const outcome = await serve(async (call) => ({ echoed: call.request }));
    expect(outcome).toEqual({ error: null, response: { echoed: { userId: 'u1' } } });
  });

  it('ends a rejected call in a status made by the one mapper', async () => {
    const outcome = await serve(async () => Promise.reject(InvalidArgumentError.of('user_id', 'is required')));
    expect(outcome.error).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'user_id: is required' });
  });

  it('turns an authentication failure into UNAUTHENTICATED', async () => {
    const outcome = await serve(async () => Promise.reject(new UnauthenticatedError()));
    expect(outcome.error).toMatchObject({ code: status.UNAUTHENTICATED, details: 'missing or invalid bearer token' });
  });

  it('ends the call even when the chain throws synchronously, hiding the cause', async () => {
    const outcome = await serve(() => {
      throw new Error('secret detail');
    });
    expect(outcome.error).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
  });

  it("gives the chain the call's method, metadata, deadline and cancel events", async () => {
    const { call, emitter, headers } = grpcCall({ userId: 'u2' });
    call.metadata.set('x-request-id', 'r5');
    let cancelled = 0;
    const seen = await new Promise<RpcCall<unknown>>((resolve) =>
      grpcJsHandler(parseMethodPath('/recall.v1.MemoryService/ListFacts'), async (rpcCall) => {
        const stop = rpcCall.onCancelled(() => {
          cancelled += 1;
        });
        emitter.emit('cancelled');
        stop();
        emitter.emit('cancelled');
        rpcCall.sendMetadata(new Metadata());
        resolve(rpcCall);
        return {};
      })(call, () => undefined),
    );
    expect(seen.method).toEqual({
      path: '/recall.v1.MemoryService/ListFacts',
      service: 'recall.v1.MemoryService',
      name: 'ListFacts',
    });
    expect(seen.metadata.get('x-request-id')).toEqual(['r5']);
    expect(seen.getDeadline()).toBe(Number.POSITIVE_INFINITY);
    expect(cancelled).toBe(1);
    expect(headers).toHaveLength(1);
  });

  it('leaves the parts empty for a path that is not /Service/Method', () => {
    expect(parseMethodPath('nonsense')).toEqual({ path: 'nonsense', service: '', name: '' });
  });
});
