import { Presets, SingleBar } from 'cli-progress';

/** A progress display for one phase of the run. */
export interface Progress {
  /** Moves to `value` of the total. */
  update(value: number): void;
  /** Completes the bar (or prints the phase's end line when there is no terminal). */
  stop(): void;
}

/** What the benchmark prints while it runs (to stderr, so stdout keeps the table). */
export interface Reporter {
  /** A line of narration. */
  log(line: string): void;
  /** A progress bar out of `total` (a plain start and end line when stderr is not a terminal). */
  progress(label: string, total: number, unit: string): Progress;
}

/** Writes to stderr; bars only when it is a terminal, nothing at all when `quiet`. */
export function createReporter(quiet = false): Reporter {
  const tty = Boolean(process.stderr.isTTY);
  const log = (line: string) => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  return {
    log,
    progress(label, total, unit) {
      if (quiet || !tty) {
        log(`${label}: ${total} ${unit}…`);
        return { update: () => undefined, stop: () => undefined };
      }
      const bar = new SingleBar(
        {
          format: `${label.padEnd(24)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0);
      return {
        update: (value) => bar.update(Math.min(value, total)),
        stop: () => {
          bar.update(total);
          bar.stop();
        },
      };
    },
  };
}
