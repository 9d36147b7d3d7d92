import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const DATASET = path.join('test', 'fixtures', 'eval-tiny');

interface Scores {
  ndcg10: number;
  map100: number;
  recall100: number;
}
interface EvalJson {
  kind: string;
  dataset: { name: string; documents: number; queries: number };
  anchor: Scores & { perQuery: { id: string }[] };
  systems: {
    system: string;
    ingest: { documents: number };
    modes: (Partial<Scores> & { mode: string; earlyExitRate?: number; errors?: number })[];
  }[];
  table: string;
  ratios: { system: string; ratio: string; value: number }[];
}

/**
 * `npm run eval` on a six-document BEIR-layout fixture with the built-in embedder: the shape of
 * its output is checked, never its quality or timings.
 */
describe('npm run eval (smoke)', () => {
  let outDir: string;
  let stdout: string;
  let result: EvalJson;

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'recall-eval-'));
    stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        TSX,
        ['bench/eval/run-eval.ts', '--dataset', DATASET, '--systems', 'builtin', '--out', outDir, '--quiet'],
        { cwd: ROOT, timeout: 5 * 60_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    const file = readdirSync(outDir).find((f) => f.startsWith('eval-eval-tiny-') && f.endsWith('.json'));
    result = JSON.parse(readFileSync(path.join(outDir, file!), 'utf8')) as EvalJson;
  }, 6 * 60_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  const inUnitRange = (s: Partial<Scores>) =>
    [s.ndcg10, s.map100, s.recall100].every((x) => typeof x === 'number' && x >= 0 && x <= 1);

  it('evaluates the judged queries of the dataset (the unjudged one left out)', () => {
    expect(result.kind).toBe('recall-eval');
    expect(result.dataset).toEqual({ name: 'eval-tiny', documents: 6, queries: 3 });
  });

  it('ran the BM25 anchor on the same queries', () => {
    expect(inUnitRange(result.anchor)).toBe(true);
    expect(result.anchor.perQuery.map((q) => q.id)).toEqual(['q1', 'q2', 'q3']);
  });

  it('scores every available mode of the built-in system within [0, 1], without failed searches', () => {
    expect(result.systems).toHaveLength(1);
    const [system] = result.systems;
    expect(system!.ingest.documents).toBe(6);
    const names = system!.modes.map((m) => m.mode);
    expect(names).toEqual(['dense', 'lexical', 'hybrid', 'dense + built-in', 'hybrid + built-in', 'AUTO, built-in']);
    for (const mode of system!.modes) {
      expect({ mode: mode.mode, ok: inUnitRange(mode), errors: mode.errors }).toEqual({
        mode: mode.mode,
        ok: true,
        errors: 0,
      });
    }
    const auto = system!.modes.find((m) => m.mode.startsWith('AUTO'))!;
    expect(auto.earlyExitRate).toBeGreaterThanOrEqual(0);
    expect(auto.earlyExitRate).toBeLessThanOrEqual(1);
  });

  it('prints the table with the anchor and the modes', () => {
    expect(stdout).toContain('| BM25 anchor');
    expect(stdout).toContain('| built-in embedder | dense |');
    expect(stdout).toContain(result.table);
    // The early exit's quality cost is always measurable: AUTO against always reranking.
    expect(result.ratios).toEqual(
      expect.arrayContaining([expect.objectContaining({ ratio: 'nDCG@10 AUTO / hybrid + built-in' })]),
    );
  });
});
