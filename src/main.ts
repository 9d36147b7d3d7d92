import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './observability/logger';

/** Reads the configuration, starts recall, and stops it cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`recall: invalid configuration: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    const ports = await app.start();
    logger.info({ ...ports, backends: app.describe() }, 'listening');
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await app.stop().catch(() => undefined);
    logger.flush();
    process.exit(1);
  }
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`recall: unhandled rejection: ${String(reason)}\n`);
});

void main();
