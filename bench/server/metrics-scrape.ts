import { type Sample, parsePrometheusText } from './prometheus-text';

/** The metrics of one server at one moment. */
export interface MetricsSnapshot {
  samples: Sample[];
}

/** A histogram's change between two snapshots, summed over the matching series. */
export interface HistogramDelta {
  /** Cumulative counts by upper bound (seconds), ascending, ending with +Inf. */
  buckets: { le: number; count: number }[];
  count: number;
  /** Seconds. */
  sum: number;
}

/** Labels a series must carry (a list means any of these values). */
export type LabelMatch = Record<string, string | readonly string[]>;

/** GETs `<metricsUrl>/metrics` and parses it. */
export async function scrapeMetrics(metricsUrl: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return { samples: parsePrometheusText(await response.text()) };
}

function matches(sample: Sample, match: LabelMatch): boolean {
  return Object.entries(match).every(([key, want]) => {
    const have = sample.labels[key];
    return have !== undefined && (typeof want === 'string' ? have === want : want.includes(have));
  });
}

function total(snapshot: MetricsSnapshot, name: string, match: LabelMatch): number {
  return snapshot.samples.filter((s) => s.name === name && matches(s, match)).reduce((sum, s) => sum + s.value, 0);
}

/** How much a counter (summed over the matching series) grew between the snapshots. */
export function counterDelta(before: MetricsSnapshot, after: MetricsSnapshot, name: string, match: LabelMatch = {}) {
  return total(after, name, match) - total(before, name, match);
}

/** How a histogram (summed over the matching series) changed between the snapshots. */
export function histogramDelta(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  name: string,
  match: LabelMatch = {},
): HistogramDelta {
  const byBound = (snapshot: MetricsSnapshot) => {
    const counts = new Map<number, number>();
    for (const s of snapshot.samples) {
      if (s.name !== `${name}_bucket` || !matches(s, match)) continue;
      const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
      counts.set(le, (counts.get(le) ?? 0) + s.value);
    }
    return counts;
  };
  const start = byBound(before);
  const end = byBound(after);
  const buckets = [...end.keys()]
    .sort((a, b) => a - b)
    .map((le) => ({ le, count: (end.get(le) ?? 0) - (start.get(le) ?? 0) }));
  return {
    buckets,
    count: counterDelta(before, after, `${name}_count`, match),
    sum: counterDelta(before, after, `${name}_sum`, match),
  };
}

/**
 * The q-quantile of a histogram in seconds, estimated like Prometheus' histogram_quantile:
 * find the bucket holding rank q·count and interpolate linearly inside it (from 0 for the
 * first bucket). So the estimate is only as fine as the buckets (0.5, 1, 2.5, 5, 10, 25 ms, …).
 * When the rank falls in the +Inf bucket the largest finite bound is returned and
 * `aboveLastBucket` is set. Undefined for an empty histogram.
 */
export function histogramQuantile(
  histogram: HistogramDelta,
  q: number,
): { seconds: number; aboveLastBucket: boolean } | undefined {
  const { buckets } = histogram;
  const count = buckets.at(-1)?.count ?? 0;
  if (count <= 0) return undefined;
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Number.POSITIVE_INFINITY) return { seconds: lower, aboveLastBucket: true };
      const inBucket = bucket.count - below;
      const fraction = inBucket > 0 ? (rank - below) / inBucket : 1;
      return { seconds: lower + (bucket.le - lower) * fraction, aboveLastBucket: false };
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return { seconds: lower, aboveLastBucket: true };
}
