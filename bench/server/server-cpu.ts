import { scrapeMetrics } from './metrics-scrape';

/**
 * The server's CPU time so far (user + system, seconds: `process_cpu_seconds_total` on its
 * sidecar). CPU per call, a difference of two of these over the calls served, is far less
 * sensitive than throughput to other work on a shared machine.
 */
export async function serverCpuSeconds(metricsUrl: string): Promise<number> {
  const { samples } = await scrapeMetrics(metricsUrl);
  const sample = samples.find((s) => s.name === 'process_cpu_seconds_total');
  if (!sample) throw new Error('the server exports no process_cpu_seconds_total');
  return sample.value;
}
