import { readFileSync } from 'node:fs';
import {
  type ChannelCredentials,
  type ChannelOptions,
  InterceptingCall,
  type Interceptor,
  credentials,
} from '@grpc/grpc-js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, retryServiceConfig } from './service-config';

/** TLS material as PEM text or buffers; file paths are read by {@link readTlsFiles}. */
export interface ClientTls {
  /** CA that signed the server's certificate; the system roots when absent. */
  ca?: string | Buffer;
  /** Client certificate and key, for servers that require mutual TLS (TLS_CLIENT_CA_FILE). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Name to check the server certificate against, when it differs from the address's host. */
  serverName?: string;
}

/** How to reach recall. */
export interface RecallClientOptions {
  /** `host:port` of the gRPC port (GRPC_PORT). */
  address: string;
  /** TLS for servers started with TLS_CERT_FILE; plaintext when absent. */
  tls?: ClientTls;
  /** Bearer token, one of the server's AUTH_TOKENS; sent as `authorization: Bearer ...`. */
  token?: string;
  /** Deadline of a call that gives none, in ms (default 5000). */
  defaultDeadlineMs?: number;
  /** Retries of idempotent reads on UNAVAILABLE; `false` turns them off. */
  retry?: Partial<RetryPolicy> | false;
  /** Extra channel options (e.g. `grpc.max_receive_message_length`). */
  channelOptions?: ChannelOptions;
}

/** Reads PEM files into {@link ClientTls}. */
export function readTlsFiles(files: { ca?: string; cert?: string; key?: string; serverName?: string }): ClientTls {
  return {
    ...(files.ca && { ca: readFileSync(files.ca) }),
    ...(files.cert && { cert: readFileSync(files.cert) }),
    ...(files.key && { key: readFileSync(files.key) }),
    ...(files.serverName !== undefined && { serverName: files.serverName }),
  };
}

const asBuffer = (value: string | Buffer | undefined) =>
  value === undefined ? null : Buffer.isBuffer(value) ? value : Buffer.from(value);

/** Channel credentials, channel options (service config with retries) and interceptors for `services`. */
export function channelSetup(options: RecallClientOptions, services: readonly string[]) {
  const creds: ChannelCredentials = options.tls
    ? credentials.createSsl(asBuffer(options.tls.ca), asBuffer(options.tls.key), asBuffer(options.tls.cert))
    : credentials.createInsecure();
  const retry =
    options.retry === false
      ? { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 }
      : { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const channelOptions: ChannelOptions = {
    'grpc.service_config': retryServiceConfig(services, retry),
    'grpc.enable_retries': retry.maxAttempts > 1 ? 1 : 0,
    ...(options.tls?.serverName ? { 'grpc.ssl_target_name_override': options.tls.serverName } : {}),
    ...options.channelOptions,
  };
  // An interceptor rather than call credentials: grpc-js sends call credentials over TLS only,
  // and in-cluster callers often talk plaintext behind a mesh.
  const interceptors: Interceptor[] = options.token ? [bearerInterceptor(options.token)] : [];
  return { creds, channelOptions, interceptors };
}

function bearerInterceptor(token: string): Interceptor {
  return (callOptions, nextCall) =>
    new InterceptingCall(nextCall(callOptions), {
      start(metadata, listener, next) {
        metadata.set('authorization', `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}
