import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const FIXTURE = path.join('test', 'fixtures', 'locomo-tiny');
const TURNS = ['D1:1', 'D1:2', 'D1:3', 'D1:4', 'D1:5', 'D2:2', 'D2:3', 'D2:4', 'D2:5'];

interface Scores {
  questions: number;
  recall5: number;
  recall10: number;
  recall20: number;
  hit10: number;
}
interface Question {
  id: string;
  category: number;
  recall5: number;
  recall10: number;
  recall20: number;
  hit10: number;
  ranking: string[];
}
interface Breakdown {
  overall: Scores;
  byCategory: Record<string, Scores>;
  all: Scores;
  perQuestion: Question[];
}
interface MemoryEvalJson {
  kind: string;
  command: string;
  machine: { cpus: number };
  dataset: {
    conversations: {
      sampleId: string;
      turns: number;
      facts: number;
      scored: number;
      unscored: string[];
      unmatchedEvidence: { question: string; evidence: string }[];
    }[];
  };
  anchor: Breakdown;
  systems: {
    system: string;
    ingest: { userId: string; turns: number; facts: number }[];
    modes: (Breakdown & { mode: string; errors: number; latencyMs: { p50: number } })[];
  }[];
  table: string;
  ratios: { system: string; ratio: string; value: number }[];
}

/** The evidence of the fixture's scored questions, in canonical turn ids (D2:1 is D1:4's twin). */
const EVIDENCE: Record<string, string[]> = {
  'tiny-1#0': ['D1:3'],
  'tiny-1#1': ['D2:3'],
  'tiny-1#2': ['D1:5', 'D2:2'],
  'tiny-1#3': ['D1:3'],
};

const share = (ranking: string[], evidence: string[], k: number) =>
  evidence.filter((id) => ranking.slice(0, k).includes(id)).length / evidence.length;

/**
 * `npm run eval -- --memory` on a ten-turn LoCoMo-format fixture with the built-in embedder: the
 * shape of its report, and its measures recomputed from the rankings it returned. Never its
 * quality or timings.
 */
describe('npm run eval -- --memory (smoke)', () => {
  let outDir: string;
  let stdout: string;
  let result: MemoryEvalJson;

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'recall-memory-eval-'));
    stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        TSX,
        ['bench/eval/run-eval.ts', '--memory', FIXTURE, '--systems', 'builtin', '--out', outDir, '--quiet'],
        { cwd: ROOT, timeout: 5 * 60_000 },
        (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)),
      );
    });
    const file = readdirSync(outDir).find((f) => f.startsWith('eval-memory-locomo-tiny-') && f.endsWith('.json'));
    result = JSON.parse(readFileSync(path.join(outDir, file!), 'utf8')) as MemoryEvalJson;
  }, 6 * 60_000);

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('adds every turn, identical turns as one fact, and scores the questions whose evidence is a turn', () => {
    expect(result.kind).toBe('recall-memory-eval');
    expect(result.command).toContain('--memory');
    expect(result.machine.cpus).toBeGreaterThan(0);
    expect(result.dataset.conversations).toEqual([
      expect.objectContaining({
        sampleId: 'tiny-1',
        turns: 10,
        facts: 9,
        scored: 4,
        unscored: ['tiny-1#4'],
        unmatchedEvidence: [{ question: 'tiny-1#4', evidence: 'D9:9' }],
      }),
    ]);
    const [system] = result.systems;
    expect(system!.ingest).toEqual([expect.objectContaining({ turns: 10, facts: 9 })]);
    expect(system!.ingest[0]!.userId).toMatch(/^locomo-.+-tiny-1-Anna-Ben$/);
  });

  it('asks every question in the three modes without failures, rankings in turn ids', () => {
    const [system] = result.systems;
    expect(system!.modes.map((m) => m.mode)).toEqual(['dense', 'lexical', 'hybrid']);
    for (const mode of system!.modes) {
      expect({ mode: mode.mode, errors: mode.errors }).toEqual({ mode: mode.mode, errors: 0 });
      expect(mode.perQuestion.map((q) => q.id)).toEqual(Object.keys(EVIDENCE));
      for (const q of mode.perQuestion) {
        expect(new Set(q.ranking).size).toBe(q.ranking.length);
        for (const id of q.ranking) expect(TURNS).toContain(id);
      }
    }
    // Nine facts and a limit of 20: dense similarity returns all of them, so every evidence turn is found.
    const dense = system!.modes[0]!;
    for (const q of dense.perQuestion)
      expect({ id: q.id, found: q.ranking.length, recall20: q.recall20 }).toEqual({
        id: q.id,
        found: 9,
        recall20: 1,
      });
  });

  it('computes evidence recall@k and hit@10 from the rankings returned, and averages them per category', () => {
    for (const breakdown of [result.anchor, ...result.systems[0]!.modes]) {
      for (const q of breakdown.perQuestion) {
        const evidence = EVIDENCE[q.id]!;
        expect(q).toMatchObject({
          recall5: share(q.ranking, evidence, 5),
          recall10: share(q.ranking, evidence, 10),
          recall20: share(q.ranking, evidence, 20),
          hit10: share(q.ranking, evidence, 10) > 0 ? 1 : 0,
        });
      }
      const mean = (ids: string[]) =>
        ids.reduce((s, id) => s + breakdown.perQuestion.find((q) => q.id === id)!.recall10, 0) / ids.length;
      // Categories 1-4 are overall; the adversarial question (tiny-1#3) stands apart.
      expect(breakdown.overall.questions).toBe(3);
      expect(breakdown.overall.recall10).toBeCloseTo(mean(['tiny-1#0', 'tiny-1#1', 'tiny-1#2']), 12);
      expect(breakdown.byCategory.adversarial!.recall10).toBe(
        breakdown.perQuestion.find((q) => q.id === 'tiny-1#3')!.recall10,
      );
      expect(breakdown.all.questions).toBe(4);
    }
  });

  it('ranks first with BM25 the only turn sharing the words of the question', () => {
    const corgi = result.anchor.perQuestion.find((q) => q.id === 'tiny-1#0')!;
    expect(corgi.ranking[0]).toBe('D1:3');
    expect(corgi.recall5).toBe(1);
  });

  it('prints the tables with the anchor and every mode', () => {
    expect(stdout).toContain('| BM25 anchor |');
    for (const mode of ['dense', 'lexical', 'hybrid']) expect(stdout).toContain(`| built-in embedder | ${mode} |`);
    expect(stdout).toContain(result.table);
    // The terms the targets are stated in, hybrid against dense (1.0 while the server ignores the mode).
    expect(result.ratios.map((r) => r.ratio)).toEqual(
      expect.arrayContaining([
        'recall@10 hybrid / dense',
        'recall@10 hybrid / BM25 anchor',
        'p50 latency hybrid / dense',
      ]),
    );
    expect(stdout).toContain('- built-in embedder: recall@10 hybrid / dense = ');
  });
});
