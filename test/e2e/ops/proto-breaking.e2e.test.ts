/** `buf breaking` (what scripts/check-breaking.sh runs in CI) catches a change that breaks clients. */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const BUF = path.join(ROOT, 'node_modules', '.bin', 'buf');

describe('proto contract check', () => {
  let copy: string;
  beforeEach(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'recall-protos-'));
    cpSync(path.join(ROOT, 'buf.yaml'), path.join(copy, 'buf.yaml'));
    cpSync(path.join(ROOT, 'proto'), path.join(copy, 'proto'), { recursive: true });
  });
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  const breaking = () => spawnSync(BUF, ['breaking', copy, '--against', ROOT], { encoding: 'utf8', timeout: 60_000 });

  it('passes the protos as they are', () => {
    expect(breaking().status).toBe(0);
  });

  it('fails when a field of SearchRequest is renumbered', () => {
    const file = path.join(copy, 'proto', 'recall', 'v1', 'search.proto');
    const text = readFileSync(file, 'utf8');
    const changed = text.replace(/string query = (\d+);/, (_m, n: string) => `string query = ${Number(n) + 100};`);
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    const result = breaking();
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/query/);
  });
});
