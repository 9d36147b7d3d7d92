import { type SoakSample, renderSoak, soakVerdict } from '../../../bench/report/soak-report';

const samples = (rss: (t: number) => number): SoakSample[] =>
  Array.from({ length: 60 }, (_, i) => ({
    atSeconds: (i + 1) * 5,
    rssMiB: rss((i + 1) * 5),
    heapUsedMiB: 100,
    eventLoopP99Ms: 5,
    callsPerSecond: 500,
    metricsKiB: 60,
  }));

describe('soak verdict', () => {
  it('calls RSS flat when it levels off after warm-up, whatever the warm-up did', () => {
    const verdict = soakVerdict(
      samples((t) => (t < 90 ? 300 + t : 400 + (t % 10))),
      300,
    );
    expect(verdict).toMatchObject({ flat: true, secondThirdRssMiB: 402.5, lastThirdRssMiB: 400 });
  });

  it('calls a steady climb a leak, and says so in the table', () => {
    const climbing = samples((t) => 300 + t);
    const verdict = soakVerdict(climbing, 300);
    expect(verdict.flat).toBe(false);
    expect(verdict).toMatchObject({ secondThirdRssMiB: 447.5, lastThirdRssMiB: 550 });
    expect(renderSoak(climbing, verdict)).toContain('NOT flat');
  });
});
