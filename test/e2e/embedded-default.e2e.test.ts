import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { bufCurl, bufListServices } from '../support/buf-curl';
import { type ServerProcess, startServerProcess } from '../support/server-process';

const ROOT = path.join(__dirname, '..', '..');
const FIGURES = path.join(ROOT, '.scratch', 'e2e', 'newcomer-start.json');

/**
 * A fresh clone after `npm ci`: the files `npm start` reads, copied from this checkout, with
 * its node_modules linked in (installing is npm's time, not recall's) and no dist/ or data/.
 */
function freshClone(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'recall-clone-'));
  const files = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src'];
  for (const file of [...files, 'migrations']) cpSync(path.join(ROOT, file), path.join(dir, file), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * CPU seconds (user + system, including reaped children) used so far by the processes of
 * group `pgid`, from Linux's /proc: unlike wall time, barely moved by other work on the machine.
 */
function groupCpuSeconds(pgid: number): number | undefined {
  const ticksPerSecond = 100; // USER_HZ, 100 on Linux
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      // Fields after "(comm)": state ppid pgrp ... utime(14) stime(15) cutime(16) cstime(17).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    }
  } catch {
    return undefined;
  }
  return ticks / ticksPerSecond;
}

/**
 * `npm start` in `clone` with the default DATA_DIR (./data): the server, the wall seconds it
 * took to serve, and the CPU seconds its processes spent getting there.
 */
async function npmStart(clone: string): Promise<{ server: ServerProcess; seconds: number; cpuSeconds?: number }> {
  const started = performance.now();
  // Generous: a fresh PGlite database runs initdb in WebAssembly, slow on a loaded machine.
  const server = await startServerProcess({ HOME: process.env.HOME ?? clone }, 180_000, {
    command: ['npm', 'start', '--silent'],
    cwd: clone,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = groupCpuSeconds(server.child.pid ?? 0);
  return { server, seconds, ...(cpuSeconds !== undefined && { cpuSeconds }) };
}

/**
 * A newcomer's run: `npm start` in a fresh clone, with no DATABASE_URL and no MILVUS_ADDRESS —
 * PGlite and the embedded vector store under ./data — driven only by `buf curl` through server
 * reflection. The start times (wall and CPU seconds to SERVING) are reported, never asserted:
 * they depend on the machine.
 */
describe('embedded default: npm start in a fresh clone, driven by buf curl with reflection only', () => {
  let clone: string;
  let server: ServerProcess;
  const figures: Record<string, number | undefined> = {};
  const call = (method: string, body: unknown) => bufCurl(server.grpcAddress, method, body);

  beforeAll(async () => {
    clone = freshClone();
    Object.assign(figures, { cores: cpus().length, loadAverageAtStart: round(loadavg()[0] ?? Number.NaN) });
    const first = await npmStart(clone);
    server = first.server;
    figures.freshCloneSeconds = round(first.seconds);
    figures.freshCloneCpuSeconds = first.cpuSeconds;
    figures.transpileMs = Number(/transpiled src\/ in (\d+) ms/.exec(server.stderr())?.[1]);
  }, 200_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(clone, { recursive: true, force: true });
    // Reported, never asserted: one line on stderr and .scratch/e2e/newcomer-start.json.
    mkdirSync(path.dirname(FIGURES), { recursive: true });
    writeFileSync(FIGURES, `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`);
    const line = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
    process.stderr.write(`newcomer npm start: ${line.join(' ')}\n`);
  });

  it('builds a fresh clone without type checking, on the way to serving', () => {
    expect(server.stderr()).toMatch(/sources changed since the last build; transpiled src\/ in \d+ ms/);
  });

  it('lists both services, health and reflection', async () => {
    const services = await bufListServices(server.grpcAddress);
    expect(services).toEqual(
      expect.arrayContaining(['recall.v1.MemoryService', 'recall.v1.SearchService', 'grpc.health.v1.Health']),
    );
  });

  it('reports SERVING overall and per service', async () => {
    for (const service of ['', 'recall.v1.MemoryService', 'recall.v1.SearchService']) {
      const result = await call('grpc.health.v1.Health/Check', { service });
      expect(result.json).toEqual({ status: 'SERVING' });
    }
  });

  it('adds and lists facts, appends messages, reads stats and forgets the user', async () => {
    const added = await call('recall.v1.MemoryService/AddFacts', {
      userId: 'newcomer',
      facts: [
        { content: 'Likes hiking', metadata: { topic: 'hobby', tags: ['outdoor'] } },
        { content: 'likes  HIKING' },
      ],
    });
    expect(added.status).toBe(0);
    expect(added.json).toMatchObject({ created: 1, duplicates: 1 });
    const listed = await call('recall.v1.MemoryService/ListFacts', { userId: 'newcomer' });
    expect(listed.json?.facts).toEqual([
      expect.objectContaining({ content: 'Likes hiking', metadata: { topic: 'hobby', tags: ['outdoor'] } }),
    ]);
    const appended = await call('recall.v1.MemoryService/AppendMessages', {
      userId: 'newcomer',
      title: 'Trip',
      messages: [{ role: 'user', content: 'Plan a hike' }],
    });
    expect(appended.json).toMatchObject({ messageCount: 1 });
    const stats = await call('recall.v1.MemoryService/GetUserStats', { userId: 'newcomer' });
    expect(stats.json?.stats).toMatchObject({
      userId: 'newcomer',
      factCount: '1',
      conversationCount: '1',
      messageCount: '1',
    });
    const forgot = await call('recall.v1.MemoryService/ForgetUser', { userId: 'newcomer' });
    expect(forgot.json).toMatchObject({ deletedFacts: '1', deletedConversations: '1', deletedMessages: '1' });
    const gone = await call('recall.v1.MemoryService/GetUserStats', { userId: 'newcomer' });
    expect(gone.status).toBe(5);
  });

  it('names the bad field through buf curl too', async () => {
    const result = await call('recall.v1.MemoryService/AddFacts', { userId: '', facts: [] });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('user_id');
    expect(result.stderr).toContain('facts');
  });

  it('keeps what it stored across a restart, which builds nothing on an unchanged tree', async () => {
    await call('recall.v1.MemoryService/AddFacts', { userId: 'durable', facts: [{ content: 'Survives restarts' }] });
    await server.stop();
    expect(server.logs.map((line) => line.msg)).toContain('stopped');
    const again = await npmStart(clone);
    server = again.server;
    figures.unchangedTreeSeconds = round(again.seconds);
    figures.unchangedTreeCpuSeconds = again.cpuSeconds;
    expect(server.stderr()).not.toContain('sources changed');
    const listed = await call('recall.v1.MemoryService/ListFacts', { userId: 'durable' });
    expect(listed.json?.facts).toEqual([expect.objectContaining({ content: 'Survives restarts' })]);
  }, 200_000);
});

/** `value` to one decimal. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}
