import { renderText } from './report-table';
import { round } from './stats';

/** One sample of the server, taken from its /metrics every few seconds. */
export interface SoakSample {
  /** Seconds since the load started. */
  atSeconds: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Event-loop delay p99 over the interval since the previous scrape (prom-client resets it). */
  eventLoopP99Ms: number;
  /** Calls recall finished in the interval, per second (grpc_server_handled_total). */
  callsPerSecond: number;
  /** Size of the /metrics text: grows only if label sets grow. */
  metricsKiB: number;
}

/** Whether RSS levelled off: the second third of the run against the last third. */
export interface SoakVerdict {
  secondThirdRssMiB: number;
  lastThirdRssMiB: number;
  /** (last − second) / second, as a fraction. */
  rssChange: number;
  /** Within 10 %: the bar for a flat RSS. */
  flat: boolean;
  heapSecondThirdMiB: number;
  heapLastThirdMiB: number;
  metricsKiBFirst: number;
  metricsKiBLast: number;
}

/** The median of the samples' `key` in [from, to) of the run's duration. */
function medianIn(samples: readonly SoakSample[], key: keyof SoakSample, from: number, to: number): number {
  const values = samples
    .filter((s) => s.atSeconds >= from && s.atSeconds < to)
    .map((s) => s[key])
    .sort((a, b) => a - b);
  if (values.length === 0) return Number.NaN;
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Compares the median RSS of the second third with that of the last third (the first third is
 * warm-up: caches, pools and JIT fill up there). Medians, so one GC spike does not decide it.
 */
export function soakVerdict(samples: readonly SoakSample[], durationSeconds: number): SoakVerdict {
  const third = durationSeconds / 3;
  const second = medianIn(samples, 'rssMiB', third, 2 * third);
  const last = medianIn(samples, 'rssMiB', 2 * third, Number.POSITIVE_INFINITY);
  const rssChange = (last - second) / second;
  return {
    secondThirdRssMiB: round(second, 1),
    lastThirdRssMiB: round(last, 1),
    rssChange: round(rssChange, 4),
    flat: Math.abs(rssChange) <= 0.1,
    heapSecondThirdMiB: round(medianIn(samples, 'heapUsedMiB', third, 2 * third), 1),
    heapLastThirdMiB: round(medianIn(samples, 'heapUsedMiB', 2 * third, Number.POSITIVE_INFINITY), 1),
    metricsKiBFirst: round(samples[0]?.metricsKiB ?? Number.NaN, 1),
    metricsKiBLast: round(samples.at(-1)?.metricsKiB ?? Number.NaN, 1),
  };
}

/** The samples as an aligned text table, then the verdict in one line. */
export function renderSoak(samples: readonly SoakSample[], verdict: SoakVerdict): string {
  const rows = [
    ['t (s)', 'RSS MiB', 'heap MiB', 'loop p99 ms', 'calls/s', '/metrics KiB'],
    ...samples.map((s) => [
      String(Math.round(s.atSeconds)),
      s.rssMiB.toFixed(1),
      s.heapUsedMiB.toFixed(1),
      s.eventLoopP99Ms.toFixed(1),
      s.callsPerSecond.toFixed(0),
      s.metricsKiB.toFixed(1),
    ]),
  ];
  const change = `${verdict.rssChange >= 0 ? '+' : ''}${(verdict.rssChange * 100).toFixed(1)} %`;
  return [
    renderText(rows),
    '',
    `RSS median, second third ${verdict.secondThirdRssMiB} MiB → last third ${verdict.lastThirdRssMiB} MiB (${change}): ` +
      `${verdict.flat ? 'flat (within 10 %)' : 'NOT flat (more than 10 %)'}; heap ${verdict.heapSecondThirdMiB} → ` +
      `${verdict.heapLastThirdMiB} MiB; /metrics ${verdict.metricsKiBFirst} → ${verdict.metricsKiBLast} KiB`,
  ].join('\n');
}
