/**
 * In-process snapshots of users' lexical fact indexes (see fact-terms.ts). A user whose
 * memory did not change between two of their recalls gets the whole of their postings
 * loaded once; later recalls score from it after one cheap check of the user's memory stamp
 * (migration 007) instead of running the postings statement, whose time on PGlite made hybrid
 * RecallFacts wait for the lexical side (docs/memory-quality.md).
 *
 * - Always current: a snapshot is used only while the user's stamp in the database equals the
 *   one read with it, so another replica's AddFacts, DeleteFacts, SupersedeFact, sweep or
 *   ForgetUser is seen by the next recall here. (On PGlite, whose folder only this process
 *   writes, the stamp is not read again while the client has been given no write since.)
 * - Bounded: at most MEMORY_LEXICAL_CACHE_POSTINGS postings in all (least recently used users
 *   go first), a user with more than a quarter of that is never kept (and not read again), and
 *   a snapshot unused for TTL_MS is dropped.
 * - No text: terms are kept as 53-bit hashes and facts by id, so no word of a user's facts
 *   stays in this process; ForgetUser drops the user's snapshot here at once, and other
 *   replicas drop theirs on their next recall of the user or after TTL_MS.
 */
import type { ScoredFactId } from '../../domain/ports';
import { Bm25Sum, type PostingsCounts, best } from './fact-bm25';

/** Postings kept in all by default, across users (8 bytes each, plus each fact's id). */
const MAX_POSTINGS = 1_000_000;
/** A snapshot not used for this long is dropped, even when the cache has room. */
const TTL_MS = 60_000;
/** Users whose last statement's stamp is remembered (to load a snapshot on their next recall). */
const MAX_SEEN = 10_000;
/** Users found too large to keep, remembered so that their snapshot is not read again. */
const MAX_LARGE = 1_000;

/** One term's postings: the facts containing it (by local number) and its count in each. */
interface TermPostings {
  df: number;
  facts: Int32Array;
  tfs: Int32Array;
}

/** A user's whole lexical index at one stamp. */
export interface UserSnapshot {
  stamp: string;
  /** The client's write count (SqlClient.changes) when the stamp was last found current. */
  checkedAt?: number | undefined;
  counts: PostingsCounts;
  factIds: string[];
  lengths: Int32Array;
  terms: Map<number, TermPostings>;
  postings: number;
}

/** A 53-bit hash of a term (two 32-bit FNV-style passes): the snapshot's key, never the text. */
export function termKey(term: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x5bd1e995;
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}

/** Builds a snapshot from SELECT_USER_POSTINGS' rows ("fact_id tf length" triples per term). */
export function buildSnapshot(
  stamp: string,
  counts: PostingsCounts,
  postings: ReadonlyMap<string, { df: number; triples: string }>,
): UserSnapshot {
  const numbers = new Map<string, number>();
  const factIds: string[] = [];
  const lengths: number[] = [];
  const terms = new Map<number, TermPostings>();
  let total = 0;
  for (const [term, { df, triples }] of postings) {
    const parts = triples.split(' ');
    const n = Math.floor(parts.length / 3);
    const facts = new Int32Array(n);
    const tfs = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      // biome-ignore lint/style/noNonNullAssertion: 3j + 2 < parts.length
      const id = parts[3 * j]!;
      let number = numbers.get(id);
      if (number === undefined) {
        number = factIds.length;
        numbers.set(id, number);
        factIds.push(id);
        lengths.push(Number(parts[3 * j + 2]));
      }
      facts[j] = number;
      tfs[j] = Number(parts[3 * j + 1]);
    }
    terms.set(termKey(term), { df, facts, tfs });
    total += n;
  }
  return { stamp, counts, factIds, lengths: Int32Array.from(lengths), terms, postings: total };
}

/** BM25 of the query's terms from a snapshot: the statement path's sums, to the bit. */
export function scoreSnapshot(
  snapshot: UserSnapshot,
  queryCounts: ReadonlyMap<string, number>,
  limit: number,
): ScoredFactId[] {
  const sum = new Bm25Sum(snapshot.counts.indexed, snapshot.counts.totalLength);
  for (const [term, qtf] of queryCounts) {
    const posting = snapshot.terms.get(termKey(term));
    if (!posting) continue;
    const weight = sum.weight(qtf, posting.df);
    for (let j = 0; j < posting.facts.length; j++) {
      // biome-ignore lint/style/noNonNullAssertion: local numbers index factIds and lengths
      const fact = posting.facts[j]!;
      // biome-ignore lint/style/noNonNullAssertion: as above
      sum.add(snapshot.factIds[fact]!, weight, posting.tfs[j]!, snapshot.lengths[fact]!);
    }
  }
  return best(sum.scores, limit);
}

/**
 * What the cache remembers of users it keeps no snapshot of, both bounded: the stamp each
 * user's last postings statement read, and the users found too large to keep.
 */
function createUserMarks() {
  const seen = new Map<string, { stamp: string | null; indexed: number }>();
  const large = new Set<string>();
  return {
    /** The stamp the user's last postings statement read here, if remembered. */
    lastStamp: (userId: string): string | null | undefined => seen.get(userId)?.stamp,
    /** How many indexed facts the user's last postings statement counted (0 if not remembered). */
    lastIndexed: (userId: string): number => seen.get(userId)?.indexed ?? 0,
    /** Remembers the stamp and indexed-fact count a postings statement read for the user. */
    saw(userId: string, stamp: string | null, indexed: number): void {
      seen.delete(userId);
      seen.set(userId, { stamp, indexed });
      if (seen.size > MAX_SEEN) seen.delete(seen.keys().next().value as string);
    },
    /** Whether the user's snapshot was found too large to keep (their searches run the statement). */
    tooLarge: (userId: string): boolean => large.has(userId),
    markLarge(userId: string): void {
      large.add(userId);
      if (large.size > MAX_LARGE) large.delete(large.values().next().value as string);
    },
    unmark(userId: string): void {
      seen.delete(userId);
      large.delete(userId);
    },
  };
}

/** The snapshots of one process, bounded in postings and time (see the module comment). */
export function createSnapshotCache(options: { maxPostings?: number; ttlMs?: number; now?: () => number } = {}) {
  const maxPostings = options.maxPostings ?? MAX_POSTINGS;
  const ttlMs = options.ttlMs ?? TTL_MS;
  const now = options.now ?? Date.now;
  /** In least recently used order. */
  const entries = new Map<string, { snapshot: UserSnapshot; usedAt: number }>();
  const { unmark, markLarge, ...marks } = createUserMarks();
  let postings = 0;
  /** Counts ForgetUsers, so that a snapshot read while one committed is not kept. */
  let forgets = 0;
  let timer: ReturnType<typeof setInterval> | undefined;

  function remove(userId: string): void {
    const entry = entries.get(userId);
    if (!entry) return;
    entries.delete(userId);
    postings -= entry.snapshot.postings;
    if (entries.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  function sweep(): void {
    const oldest = now() - ttlMs;
    for (const [userId, entry] of entries) {
      if (entry.usedAt >= oldest && postings <= maxPostings) break;
      remove(userId);
    }
  }

  return {
    ...marks,
    /** Whether snapshots are kept at all (maxPostings 0: every search runs the statement). */
    keeps: maxPostings > 0,
    /**
     * Whether a user with this many indexed facts is too large to keep, known before reading
     * them (each indexed fact has a posting at least); marks the user so.
     */
    tooManyFacts(userId: string, indexed: number): boolean {
      if (indexed <= maxPostings / 4) return false;
      markLarge(userId);
      return true;
    },
    /** The user's snapshot, if one is kept (it may be out of date: check its stamp). */
    get(userId: string): UserSnapshot | undefined {
      sweep();
      const entry = entries.get(userId);
      if (!entry) return undefined;
      entries.delete(userId);
      entries.set(userId, { snapshot: entry.snapshot, usedAt: now() });
      return entry.snapshot;
    },
    /** The ForgetUser count, to hand back to `put` with a snapshot read after it. */
    epoch: (): number => forgets,
    /** Keeps the snapshot unless it is too large or a ForgetUser happened since `epoch`. */
    put(userId: string, snapshot: UserSnapshot, epoch: number): void {
      remove(userId);
      if (snapshot.postings > maxPostings / 4) markLarge(userId);
      if (snapshot.postings > maxPostings / 4 || epoch !== forgets) return;
      entries.set(userId, { snapshot, usedAt: now() });
      postings += snapshot.postings;
      sweep();
      if (!timer && entries.size > 0) {
        timer = setInterval(sweep, ttlMs);
        timer.unref();
      }
    },
    /** Drops the user's snapshot (it is out of date). */
    drop: remove,
    /** Forgets everything of the user here (ForgetUser). */
    forget(userId: string): void {
      forgets++;
      remove(userId);
      unmark(userId);
    },
    /** How many users and postings are kept (tests, metrics). */
    size: () => ({ users: entries.size, postings }),
  };
}

/** The snapshots of one process (see createSnapshotCache). */
export type SnapshotCache = ReturnType<typeof createSnapshotCache>;
