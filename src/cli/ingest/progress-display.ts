import { SingleBar } from 'cli-progress';
import type { IngestReport } from './ingest-report';

/** Shows how far an ingestion has got; fed the bytes read, reads the counters from the report. */
export interface ProgressDisplay {
  /** Records how many bytes of the file have been read. */
  update(bytesRead: number): void;
  /** Draws a last time and releases the terminal line; safe to call twice. */
  stop(): void;
}

/** Where and how to show progress. */
export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  report: IngestReport;
  /** File size in bytes; 0 when unknown (standard input). */
  totalBytes: number;
  /** `bar` redraws one line (for a terminal); `lines` prints a line every `intervalMs`; `none` is silent. */
  style: 'bar' | 'lines' | 'none';
  intervalMs?: number;
}

/** Creates the display; `bar` uses cli-progress, `lines` suits logs and pipes. */
export function createProgressDisplay(options: ProgressOptions): ProgressDisplay {
  const { stream, report, totalBytes, style } = options;
  let bytesRead = 0;
  if (style === 'none') return { update: () => undefined, stop: () => undefined };

  const payload = () => ({
    lines: report.linesRead,
    loaded: report.loaded,
    problems: report.problemCount,
    rate: Math.round(report.docsPerSecond),
  });

  if (style === 'bar') {
    const counters = '{lines} lines | {loaded} loaded | {problems} not loaded | {rate} docs/s';
    const bar = new SingleBar({
      stream,
      format:
        totalBytes > 0 ? `ingest [{bar}] {percentage}% | ${counters} | ETA {eta_formatted}` : `ingest | ${counters}`,
      barsize: 30,
      hideCursor: true,
      etaBuffer: 100,
      fps: 10,
    });
    bar.start(Math.max(totalBytes, 1), 0, payload());
    const timer = setInterval(() => bar.update(Math.min(bytesRead, Math.max(totalBytes, 1)), payload()), 100);
    timer.unref();
    let stopped = false;
    return {
      update(bytes) {
        bytesRead = bytes;
      },
      stop() {
        if (stopped) return;
        stopped = true;
        clearInterval(timer);
        bar.update(Math.min(bytesRead, Math.max(totalBytes, 1)), payload());
        bar.stop();
      },
    };
  }

  const print = () => {
    const p = payload();
    const share = totalBytes > 0 ? `${Math.floor((100 * bytesRead) / totalBytes)}% of the file, ` : '';
    stream.write(
      `ingest: ${share}${p.lines} lines read, ${p.loaded} loaded, ${p.problems} not loaded, ${p.rate} docs/s\n`,
    );
  };
  const timer = setInterval(print, options.intervalMs ?? 5_000);
  timer.unref();
  return {
    update(bytes) {
      bytesRead = bytes;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
