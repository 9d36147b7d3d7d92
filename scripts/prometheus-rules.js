#!/usr/bin/env node
// Renders deploy/prometheus/rules/recall-alerts.yml for another METRICS_PREFIX (e.g. the old
// service's `zantara_`), so dashboards and alerts follow the prefix by configuration:
//
//   node scripts/prometheus-rules.js --prefix zantara_ > zantara-alerts.yml
//   node scripts/prometheus-rules.js --prefix zantara_ --for 5s   (shortened `for:`, for tests)
//
// Only the service's own metric names carry the prefix; grpc_server_*, up and probe_* don't.
const { readFileSync } = require('node:fs');
const path = require('node:path');

const SOURCE = path.join(__dirname, '..', 'deploy', 'prometheus', 'rules', 'recall-alerts.yml');
const DEFAULT_PREFIX = 'recall_';
const PREFIXED = /\brecall_(?=(rag|db|circuit_breaker)_)/g;

/** The shipped rules with `prefix` in place of `recall_`, and every `for:` set to `forDuration` when given. */
function renderRules(prefix = DEFAULT_PREFIX, forDuration = undefined) {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) throw new Error(`not a valid metric name prefix: ${prefix}`);
  let text = readFileSync(SOURCE, 'utf8').replace(PREFIXED, prefix);
  if (forDuration) text = text.replace(/^(\s+for: ).*$/gm, `$1${forDuration}`);
  return text;
}

function main(argv) {
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  process.stdout.write(renderRules(value('--prefix') ?? DEFAULT_PREFIX, value('--for')));
}

module.exports = { renderRules };
if (require.main === module) main(process.argv.slice(2));
