import { type App, createApp } from './app';
import { EXIT } from './cli/exit-codes';
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
      process.exit(EXIT.usage);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let app: App | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping || !app) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(EXIT.ok);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(EXIT.failed);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    app = await createApp(config, logger);
    const ports = await app.start();
    logger.info({ ...ports, backends: app.describe() }, 'listening');
  } catch (error) {
    // A refused start (a backend down, DATA_DIR held by another process, a port taken) exits
    // non-zero with one line on stderr, so a supervisor sees the failure and why.
    logger.fatal({ err: error }, 'start-up failed');
    await app?.stop().catch(() => undefined);
    logger.flush();
    process.stderr.write(`recall: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.failed);
  }
}

process.on('unhandledRejection', (reason) => {
  process.stderr.write(`recall: unhandled rejection: ${String(reason)}\n`);
  process.exitCode = EXIT.failed;
});

void main();
