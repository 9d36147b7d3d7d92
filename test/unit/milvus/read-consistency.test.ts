import { ReadConsistency } from '../../../src/adapters/milvus/read-consistency';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ReadConsistency', () => {
  describe('session (the default)', () => {
    it('reads Bounded a collection this process has not written', () => {
      const policy = new ReadConsistency('session', 5_000, clock().now);

      expect(policy.levelFor('docs')).toBe('Bounded');
    });

    it('reads Strong while a write to the collection is running, however long it takes', () => {
      const time = clock();
      const policy = new ReadConsistency('session', 5_000, time.now);

      policy.beginWrite('docs');
      time.advance(60_000);

      expect(policy.levelFor('docs')).toBe('Strong');
    });

    it('reads Strong for the window after the write ended, then Bounded again', () => {
      const time = clock();
      const policy = new ReadConsistency('session', 5_000, time.now);

      const ended = policy.beginWrite('docs');
      time.advance(30_000);
      ended();
      time.advance(4_999);
      expect(policy.levelFor('docs')).toBe('Strong');

      time.advance(1);
      expect(policy.levelFor('docs')).toBe('Bounded');
    });

    it('tracks each collection on its own', () => {
      const time = clock();
      const policy = new ReadConsistency('session', 5_000, time.now);

      policy.beginWrite('docs')();

      expect(policy.levelFor('docs')).toBe('Strong');
      expect(policy.levelFor('faq')).toBe('Bounded');
    });

    it('a write that starts within the window extends it from its own end', () => {
      const time = clock();
      const policy = new ReadConsistency('session', 5_000, time.now);

      policy.beginWrite('docs')();
      time.advance(4_000);
      const ended = policy.beginWrite('docs');
      time.advance(2_000);
      ended();
      time.advance(4_000);

      expect(policy.levelFor('docs')).toBe('Strong');
    });
  });

  it.each([
    ['strong', 'Strong'],
    ['bounded', 'Bounded'],
    ['eventually', 'Eventually'],
  ] as const)('%s reads every collection %s, written or not', (mode, level) => {
    const policy = new ReadConsistency(mode, 5_000, clock().now);

    policy.beginWrite('docs');

    expect(policy.levelFor('docs')).toBe(level);
    expect(policy.levelFor('faq')).toBe(level);
  });
});
