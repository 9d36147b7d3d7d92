/**
 * The interceptor that stands in for the SDK's retry interceptor when recall does not retry
 * (see lean-interceptor.ts): it must hand on what the SDK's did, minus the serialising. A
 * stand-in for the next call in grpc-js's chain records what reaches the caller.
 */
import { type InterceptingCall, Metadata, type StatusObject, status } from '@grpc/grpc-js';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { dropSdkRetryInterceptor, leanNoRetryInterceptor } from '../../../src/adapters/milvus/lean-interceptor';

type Listener = {
  onReceiveMessage(message: unknown): void;
  onReceiveStatus(status: StatusObject): void;
};

/** Runs one call through the interceptor; `answer` plays the server through the listener it is given. */
function callThrough(method: string, answer: (listener: Listener) => void) {
  const received: Array<{ message?: unknown; status?: number }> = [];
  const sent: unknown[] = [];
  const next = {
    start(_metadata: Metadata, listener: Listener) {
      queueMicrotask(() => answer(listener));
    },
    sendMessageWithContext(_context: unknown, message: unknown) {
      sent.push(message);
    },
    sendMessage(message: unknown) {
      sent.push(message);
    },
    startRead() {},
    halfClose() {},
    cancelWithStatus() {},
    getPeer: () => 'fake',
  };
  const call = leanNoRetryInterceptor(
    { method_definition: { path: `/milvus.proto.milvus.MilvusService/${method}` } } as never,
    () => next as unknown as InterceptingCall,
  );
  const done = new Promise<void>((resolve) => {
    call.start(new Metadata(), {
      onReceiveMetadata() {},
      onReceiveMessage(message: unknown) {
        received.push({ message });
      },
      onReceiveStatus(s: StatusObject) {
        received.push({ status: s.code });
        resolve();
      },
    });
  });
  call.sendMessage({ vector: [0.1, 0.2] });
  return { received, sent, done };
}

const ok = (code = status.OK): StatusObject => ({ code, details: '', metadata: new Metadata() });

describe('leanNoRetryInterceptor', () => {
  it('hands on the answer, then the status, and sends the request unchanged', async () => {
    const { received, sent, done } = callThrough('Search', (listener) => {
      listener.onReceiveMessage({ results: 'hits' });
      listener.onReceiveStatus(ok());
    });
    await done;
    expect(sent).toEqual([{ vector: [0.1, 0.2] }]);
    expect(received).toEqual([{ message: { results: 'hits' } }, { status: status.OK }]);
  });

  it('turns UNIMPLEMENTED into OK with an empty message, as the SDK does', async () => {
    const { received, done } = callThrough('GetLoadState', (listener) =>
      listener.onReceiveStatus(ok(status.UNIMPLEMENTED)),
    );
    await done;
    expect(received).toEqual([{ status: status.OK }]);
  });

  it('lets UNIMPLEMENTED through for the methods the SDK falls back on', async () => {
    const { received, done } = callThrough('AlterCollectionSchema', (listener) =>
      listener.onReceiveStatus(ok(status.UNIMPLEMENTED)),
    );
    await done;
    expect(received).toEqual([{ status: status.UNIMPLEMENTED }]);
  });

  it('passes other failures on as they came', async () => {
    const { received, done } = callThrough('Search', (listener) => listener.onReceiveStatus(ok(status.UNAVAILABLE)));
    await done;
    expect(received).toEqual([{ status: status.UNAVAILABLE }]);
  });
});

describe('dropSdkRetryInterceptor', () => {
  const meta = () => undefined;
  // The shape of the SDK's: its source mentions its retry counter.
  const sdkRetry = function retry() {
    const retryCount = 0;
    return retryCount;
  };

  it('replaces the SDK retry interceptor in place, where the clients made already see it', () => {
    const interceptors = [meta, sdkRetry];
    const client = { channelOptions: { interceptors } } as unknown as MilvusClient;
    expect(dropSdkRetryInterceptor(client)).toBe(true);
    expect(interceptors).toEqual([meta, leanNoRetryInterceptor]);
  });

  it('leaves a client of another shape alone', () => {
    const other = [meta, () => 'something else'];
    expect(dropSdkRetryInterceptor({ channelOptions: { interceptors: other } } as unknown as MilvusClient)).toBe(false);
    expect(other[1]).not.toBe(leanNoRetryInterceptor);
    expect(dropSdkRetryInterceptor({} as unknown as MilvusClient)).toBe(false);
  });
});
