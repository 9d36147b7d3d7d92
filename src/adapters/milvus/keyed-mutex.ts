/**
 * One lock per key, granted in request order. Milvus Lite corrupts or rejects concurrent
 * writes to one collection, so every write to a collection runs under its key.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the key's lock; the returned function releases it (calling it twice is harmless). */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let open!: () => void;
    const current = new Promise<void>((resolve) => {
      open = resolve;
    });
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      open();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }

  /** Runs `work` holding the key's lock. */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Whether the key's lock is held or awaited now. */
  isLocked(key: string): boolean {
    return this.tails.has(key);
  }

  /** Keys currently locked or awaited (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
