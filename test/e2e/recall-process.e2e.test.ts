/**
 * The benchmark and eval harness (bench/server/recall-process.ts) says why recall went away
 * when it exits by itself mid-run, instead of leaving the caller a bare ECONNREFUSED.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXITED_IN_USE, startRecall, withExitReason } from '../../bench/server/recall-process';

test('a recall that exits while in use is named with its signal among the problems and in the error', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'recall-process-'));
  try {
    const recall = await startRecall('exit test', { DATA_DIR: dataDir });
    expect(recall.problems.filter((line) => line.startsWith(EXITED_IN_USE))).toEqual([]);
    process.kill(recall.pid, 'SIGKILL');
    await recall.exited;
    const line = recall.problems.find((problem) => problem.startsWith(EXITED_IN_USE));
    expect(line).toMatch(/signal SIGKILL/);
    const error = withExitReason(new Error('connect ECONNREFUSED'), recall) as Error;
    expect(error.message).toMatch(/^connect ECONNREFUSED \(recall exited while in use: code null, signal SIGKILL/);
    expect(await recall.stop()).toBeNull();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
