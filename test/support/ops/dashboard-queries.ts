import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The shipped Grafana dashboard. */
export const DASHBOARD_FILE = path.join(__dirname, '..', '..', '..', 'deploy', 'grafana', 'recall-dashboard.json');

/** One query of one panel, with Grafana's variables replaced as Grafana would. */
export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ refId: string; expr: string }> }>;
}

/**
 * Every panel query of the dashboard with `$prefix`, `$instance` (all) and
 * `$__rate_interval` substituted. Throws when a query still holds a variable the test does not
 * know, so a new variable cannot slip past the check.
 */
export function dashboardQueries(vars: { prefix: string; rateInterval: string }): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;
  const queries: PanelQuery[] = [];
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      const expr = target.expr
        .replaceAll('${prefix}', vars.prefix)
        .replaceAll('$prefix', vars.prefix)
        .replaceAll('$__rate_interval', vars.rateInterval)
        .replaceAll('$instance', '.+');
      if (expr.includes('$')) throw new Error(`panel "${panel.title}" ${target.refId}: unknown variable in ${expr}`);
      queries.push({ panel: panel.title, refId: target.refId, expr });
    }
  }
  return queries;
}

/** The metric names (recording the prefix) a query reads, e.g. `recall_db_pool_size`. */
export function metricNames(expr: string): string[] {
  const names = expr.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)/g) ?? [];
  return [...new Set(names)];
}
