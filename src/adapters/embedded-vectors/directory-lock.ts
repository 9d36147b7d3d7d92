import { open, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FailedPreconditionError } from '../../domain/errors';

const LOCK_FILE = 'LOCK';
/** Directories locked by this process (a pid check cannot tell two of our own instances apart). */
const held = new Set<string>();

/**
 * Claims `directory` for this process with a LOCK file holding its pid, so two servers never
 * write the same store. A lock left by a process that is gone is taken over. Resolves to
 * the function that releases it.
 */
export async function lockDirectory(directory: string): Promise<() => Promise<void>> {
  const path = resolve(directory, LOCK_FILE);
  if (held.has(path)) throw new FailedPreconditionError(`vector store directory ${directory} is already open`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      held.add(path);
      return async () => {
        held.delete(path);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new FailedPreconditionError(`vector store directory ${directory} is in use by process ${owner}`);
      }
      // Left by a process that is gone (or an earlier process with our pid): take it over.
      await rm(path, { force: true });
    }
  }
  throw new FailedPreconditionError(`could not lock vector store directory ${directory}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
