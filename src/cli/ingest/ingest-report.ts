/** Why a line was not loaded: refused by the file check, by the server, or never acknowledged. */
export type LineProblemKind = 'invalid' | 'rejected' | 'failed';

/** One line that did not make it, with its 1-based line number. */
export interface LineProblem {
  lineNumber: number;
  kind: LineProblemKind;
  reason: string;
}

/** How many problem lines are kept for the final listing; the rest are only counted. */
export const LISTED_PROBLEMS_MAX = 1000;

/**
 * The running tally of an ingestion: the counters the progress display and the summary read,
 * and the problem lines (the first LISTED_PROBLEMS_MAX of them) for the final report.
 */
export class IngestReport {
  /** Lines read (after those skipped by `--resume`). */
  linesRead = 0;
  /** Lines an earlier run had finished, skipped by `--resume`. */
  skipped = 0;
  blankLines = 0;
  /** Documents whose UpsertDocuments call returned OK. */
  loaded = 0;
  /** Lines refused by the file check. */
  invalid = 0;
  /** Lines the server refused (INVALID_ARGUMENT naming the document). */
  rejected = 0;
  /** Valid lines that were never acknowledged (retries exhausted, fatal error, interrupted). */
  failed = 0;
  /** Lines whose id appeared earlier in the file (the later line wins). */
  duplicates = 0;
  /** Lines replaced by a later line with the same id before they were sent. */
  superseded = 0;
  /** Acknowledged UpsertDocuments calls. */
  batches = 0;
  retries = 0;
  /** Why the run stopped early, if it did. */
  stoppedReason: string | undefined;
  /** The last line read when the run stopped before the end of the file. */
  stoppedAtLine: number | undefined;
  readonly problems: LineProblem[] = [];
  readonly warnings: string[] = [];
  private readonly startedAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
  }

  /** Records a problem line and counts it under its kind. */
  problem(lineNumber: number, kind: LineProblemKind, reason: string): void {
    this[kind] += 1;
    if (this.problems.length < LISTED_PROBLEMS_MAX) this.problems.push({ lineNumber, kind, reason });
  }

  /** Records a note that does not make the run fail (e.g. a duplicate id), capped like problems. */
  warn(message: string): void {
    if (this.warnings.length < LISTED_PROBLEMS_MAX) this.warnings.push(message);
  }

  /** Lines that were not loaded because of a problem. */
  get problemCount(): number {
    return this.invalid + this.rejected + this.failed;
  }

  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Loaded documents per second since the start. */
  get docsPerSecond(): number {
    return this.loaded / Math.max(this.elapsedMs / 1000, 0.001);
  }

  /** 0 when every valid line was loaded, 1 otherwise. */
  get exitCode(): 0 | 1 {
    return this.problemCount > 0 || this.stoppedReason !== undefined ? 1 : 0;
  }

  /**
   * The problem lines in line order (failed lines sharing a reason on one entry, as ranges),
   * then the warnings, then the one-line summary, as printable text.
   */
  format(collection: string): string {
    const out: string[] = [];
    for (const entry of groupProblems(this.problems)) out.push(`${entry.lines}: ${entry.kind}: ${entry.reason}`);
    const unlisted = this.problemCount - this.problems.length;
    if (unlisted > 0) {
      out.push(`... and ${unlisted} more problem lines (only the first ${LISTED_PROBLEMS_MAX} are listed)`);
    }
    for (const w of this.warnings) out.push(`warning: ${w}`);
    if (this.duplicates > this.warnings.length) out.push(`warning: ${this.duplicates} duplicate ids in all`);
    if (this.stoppedReason !== undefined) {
      out.push(
        this.stoppedAtLine === undefined
          ? `stopped: ${this.stoppedReason}`
          : `stopped after line ${this.stoppedAtLine}: ${this.stoppedReason}; later lines were not read`,
      );
    }
    if (this.skipped > 0)
      out.push(`resumed: lines 1-${this.skipped} were finished by an earlier run and not sent again`);
    out.push(
      [
        `ingest into "${collection}": ${this.linesRead} lines read (${this.blankLines} blank), ${this.loaded} loaded`,
        `${this.invalid} invalid, ${this.rejected} rejected by the server, ${this.failed} failed`,
        `${this.duplicates} duplicate ids (${this.superseded} replaced before sending)`,
        `${this.batches} batches, ${this.retries} retries`,
        `${Math.round(this.docsPerSecond)} docs/s, ${(this.elapsedMs / 1000).toFixed(1)} s`,
      ].join('; '),
    );
    return `${out.join('\n')}\n`;
  }
}

/** Sorts problems by line; failed lines with the same reason become one entry listing ranges. */
function groupProblems(problems: LineProblem[]): Array<{ lines: string; kind: LineProblemKind; reason: string }> {
  const sorted = [...problems].sort((a, b) => a.lineNumber - b.lineNumber);
  const failedByReason = new Map<string, number[]>();
  const entries: Array<{ first: number; lines: string; kind: LineProblemKind; reason: string }> = [];
  for (const p of sorted) {
    if (p.kind !== 'failed') entries.push({ first: p.lineNumber, lines: `line ${p.lineNumber}`, ...p });
    else failedByReason.set(p.reason, [...(failedByReason.get(p.reason) ?? []), p.lineNumber]);
  }
  for (const [reason, numbers] of failedByReason) {
    const [first = 0] = numbers; // never empty: a reason is set with its first line
    const lines = numbers.length === 1 ? `line ${first}` : `lines ${ranges(numbers)}`;
    entries.push({ first, lines, kind: 'failed', reason });
  }
  return entries.sort((a, b) => a.first - b.first);
}

/** [1, 2, 3, 7, 9, 10] → "1-3, 7, 9-10" (input sorted). */
function ranges(numbers: number[]): string {
  const parts: string[] = [];
  const [first = 0, ...rest] = numbers;
  let start = first;
  let end = start;
  for (const n of rest) {
    if (n === end + 1) end = n;
    else {
      parts.push(start === end ? `${start}` : `${start}-${end}`);
      start = end = n;
    }
  }
  parts.push(start === end ? `${start}` : `${start}-${end}`);
  return parts.join(', ');
}
