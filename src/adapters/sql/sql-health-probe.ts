import type { HealthProbe } from '../../domain/ports';
import type { SqlClient } from './sql-client';

/** Readiness of the database: answers and its breaker (if any) is not open. */
export function sqlHealthProbe(client: SqlClient, name = 'postgres'): HealthProbe {
  return {
    name,
    async check(ctx) {
      await client.ping(ctx);
    },
  };
}
