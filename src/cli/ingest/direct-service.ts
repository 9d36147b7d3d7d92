import pino from 'pino';
import { createApp } from '../../app';
import { type Config, loadConfig } from '../../config';
import { createLogger } from '../../observability/logger';

/** A recall service started inside this process for `--direct`. */
export interface DirectService {
  address: string;
  /** A configured token (AUTH_TOKENS) with the `write` scope, so uploads pass the service's own auth check. */
  token: string | undefined;
  maxMessageBytes: number;
  stop(): Promise<void>;
}

/**
 * `--direct`: opens the backends the environment configures (the same variables as
 * `npm start`: DATABASE_URL / MILVUS_ADDRESS or the embedded default under DATA_DIR) by
 * starting the whole app in this process, gRPC on 127.0.0.1 with a free port, no TLS, metrics
 * on a free port. Ingestion then goes through its SearchService like any client, so it gets
 * exactly the server's validation, embedding and breakers. Logs go to stderr at `warn` unless
 * LOG_LEVEL is set. Throws ConfigError for a bad variable.
 */
export async function startDirectService(env: NodeJS.ProcessEnv = process.env): Promise<DirectService> {
  const config = loadConfig(env);
  const local: Config = {
    ...config,
    host: '127.0.0.1',
    grpcPort: 0,
    metricsPort: 0,
    security: { ...config.security, tlsCertFile: undefined, tlsKeyFile: undefined, tlsClientCaFile: undefined },
  };
  const level = env.LOG_LEVEL?.trim() ? config.logLevel : 'warn';
  const logger = createLogger(level, pino.destination({ fd: 2, sync: true }));
  const app = await createApp(local, logger);
  try {
    const { grpcPort } = await app.start();
    return {
      address: `127.0.0.1:${grpcPort}`,
      token: config.security.authTokens.find((grant) => grant.scopes.includes('write'))?.token,
      maxMessageBytes: config.maxMessageBytes,
      stop: () => app.stop(),
    };
  } catch (error) {
    await app.stop().catch(() => undefined);
    throw error;
  }
}
