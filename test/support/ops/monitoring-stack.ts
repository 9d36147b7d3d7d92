/**
 * Prometheus, Alertmanager and the blackbox exporter started for a test on free ports, from
 * configurations derived from the shipped ones in deploy/ (addresses and intervals changed,
 * every `for:` shortened), so the shipped files are what gets exercised.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../harness/free-port';
import { type Daemon, startDaemon } from './daemon';
import { waitFor } from './wait-for';

const ROOT = path.join(__dirname, '..', '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');
// biome-ignore lint/suspicious/noExplicitAny: the rules renderer is a plain CommonJS script
const { renderRules } = require(path.join(ROOT, 'scripts', 'prometheus-rules.js')) as any;

/** A running monitoring stack; `prometheusUrl` and `alertmanagerUrl` are HTTP bases. */
export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** The derived Prometheus configuration's folder (config and rules). */
  dir: string;
  stop(): Promise<void>;
  logs(): string;
}

function replaceOnce(text: string, from: string | RegExp, to: string, file: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file} no longer contains ${String(from)}: update the ops test`);
  return next;
}

/** Writes the derived configs and checks them with promtool / amtool; returns their paths. */
export function deriveConfigs(
  dir: string,
  ports: { recallMetrics: number; alertmanager: number; blackbox: number },
  options: { prefix: string; interval: string; forDuration: string },
) {
  const rulesFile = path.join(dir, 'recall-alerts.yml');
  writeFileSync(rulesFile, renderRules(options.prefix, options.forDuration));
  const shipped = path.join(DEPLOY, 'prometheus', 'prometheus.yml');
  let config = readFileSync(shipped, 'utf8');
  config = replaceOnce(config, /scrape_interval: \S+/, `scrape_interval: ${options.interval}`, shipped);
  config = replaceOnce(config, /evaluation_interval: \S+/, `evaluation_interval: ${options.interval}`, shipped);
  config = replaceOnce(config, 'rules/recall-alerts.yml', rulesFile, shipped);
  config = replaceOnce(config, "'alertmanager:9093'", `'127.0.0.1:${ports.alertmanager}'`, shipped);
  config = replaceOnce(config, "'recall:9464'", `'127.0.0.1:${ports.recallMetrics}'`, shipped);
  config = replaceOnce(config, 'http://recall:9464/readyz', `http://127.0.0.1:${ports.recallMetrics}/readyz`, shipped);
  config = replaceOnce(config, 'blackbox:9115', `127.0.0.1:${ports.blackbox}`, shipped);
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);

  const amShipped = path.join(DEPLOY, 'alertmanager', 'alertmanager.yml');
  let am = readFileSync(amShipped, 'utf8');
  am = replaceOnce(am, /group_wait: \S+/, 'group_wait: 1s', amShipped);
  const amFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(amFile, am);

  execFileSync('promtool', ['check', 'config', configFile], { stdio: 'pipe' });
  execFileSync('amtool', ['check-config', amFile], { stdio: 'pipe' });
  return { configFile, rulesFile, amFile };
}

/** Starts the three daemons against recall's sidecar on `recallMetricsPort` and waits until each answers. */
export async function startMonitoringStack(
  recallMetricsPort: number,
  options: { prefix?: string; interval?: string; forDuration?: string } = {},
): Promise<MonitoringStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'recall-prom-'));
  const ports = { recallMetrics: recallMetricsPort, alertmanager: await freePort(), blackbox: await freePort() };
  const prometheusPort = await freePort();
  const files = deriveConfigs(dir, ports, {
    prefix: options.prefix ?? 'recall_',
    interval: options.interval ?? '1s',
    forDuration: options.forDuration ?? '5s',
  });
  const daemons: Daemon[] = [];
  const stop = async () => {
    for (const d of daemons.reverse()) await d.stop();
    daemons.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    daemons.push(
      startDaemon('blackbox', 'prometheus-blackbox-exporter', [
        `--config.file=${path.join(DEPLOY, 'prometheus', 'blackbox.yml')}`,
        `--web.listen-address=127.0.0.1:${ports.blackbox}`,
      ]),
      startDaemon('alertmanager', 'prometheus-alertmanager', [
        `--config.file=${files.amFile}`,
        `--storage.path=${path.join(dir, 'alertmanager')}`,
        `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
        '--cluster.listen-address=',
      ]),
      startDaemon('prometheus', 'prometheus', [
        `--config.file=${files.configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ]),
    );
    const ready = (url: string) => async () => ((await fetch(url)).ok ? true : undefined);
    await waitFor('blackbox exporter', ready(`http://127.0.0.1:${ports.blackbox}/-/healthy`), 20_000);
    await waitFor('alertmanager', ready(`http://127.0.0.1:${ports.alertmanager}/-/ready`), 20_000);
    await waitFor('prometheus', ready(`http://127.0.0.1:${prometheusPort}/-/ready`), 30_000);
  } catch (error) {
    const logs = daemons.map((d) => `--- ${d.name}\n${d.output()}`).join('\n');
    await stop();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
  return {
    prometheusUrl: `http://127.0.0.1:${prometheusPort}`,
    alertmanagerUrl: `http://127.0.0.1:${ports.alertmanager}`,
    dir,
    stop,
    logs: () => daemons.map((d) => `--- ${d.name}\n${d.output()}`).join('\n'),
  };
}

/** Result of an instant query: `{ status, data: { result }, error }` as Prometheus's HTTP API returns it. */
export async function instantQuery(prometheusUrl: string, expr: string) {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
}

/** Alerts Alertmanager currently holds as active (its v2 API), as label sets. */
export async function activeAlerts(alertmanagerUrl: string): Promise<Array<Record<string, string>>> {
  const response = await fetch(`${alertmanagerUrl}/api/v2/alerts?active=true&silenced=false&inhibited=false`);
  const alerts = (await response.json()) as Array<{ labels: Record<string, string>; status: { state: string } }>;
  return alerts.filter((a) => a.status.state === 'active').map((a) => a.labels);
}
