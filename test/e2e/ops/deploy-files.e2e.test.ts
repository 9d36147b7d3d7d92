/**
 * The deployment files validate with the real tools (hadolint, the Compose specification's
 * schema, the Kubernetes schemas, yamllint; scripts/deploy-validate.sh), the validators catch a
 * broken file, and the numbers that must agree across files do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'deploy-validate.sh');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

function validate(...args: string[]) {
  const result = spawnSync('bash', [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('deployment files', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'recall-deploy-'));
    const installed = validate('install');
    if (installed.status !== 0) throw new Error(`could not install the validators: ${installed.output}`);
  }, 300_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('pass hadolint, the Compose schema, strict Kubernetes validation and yamllint', () => {
    const result = validate('all');
    expect(result.output).not.toMatch(/ERROR|error:/);
    expect(result.status).toBe(0);
  }, 120_000);

  it('would reject a compose file with a misspelt key and a manifest with an unknown field', () => {
    const compose = path.join(scratch, 'compose.yaml');
    writeFileSync(compose, read('compose.yaml').replace('healthcheck:', 'healthchek:'));
    expect(validate('compose', compose).status).not.toBe(0);
    const deployment = path.join(scratch, 'deployment.yaml');
    writeFileSync(deployment, read('deploy/k8s/deployment.yaml').replace('readinessProbe:', 'readynessProbe:'));
    expect(validate('k8s', deployment).status).not.toBe(0);
  }, 120_000);

  it('give recall more time to stop than its drain takes, in compose and Kubernetes', () => {
    const drainMs = Number(/SHUTDOWN_GRACE_MS: "(\d+)"/.exec(read('deploy/k8s/configmap.yaml'))?.[1]);
    const k8sGrace = Number(/terminationGracePeriodSeconds: (\d+)/.exec(read('deploy/k8s/deployment.yaml'))?.[1]);
    expect(k8sGrace * 1000).toBeGreaterThan(drainMs);
    const composeText = read('compose.yaml');
    const composeDrainMs = Number(/SHUTDOWN_GRACE_MS: "(\d+)"/.exec(composeText)?.[1]);
    const composeGrace = Number(/stop_grace_period: (\d+)s/.exec(composeText)?.[1]);
    expect(composeGrace * 1000).toBeGreaterThan(composeDrainMs);
  });

  it('build an image that runs node as PID 1, unprivileged, with production dependencies and a health check', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER (?!0|root)\S+/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
  });

  it('mount only files that exist into the compose services', () => {
    const sources = [...read('compose.yaml').matchAll(/- \.\/(\S+?):/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(5);
    for (const source of sources)
      expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
  });
});
