import * as factTermsSql from '../../../src/adapters/sql/fact-terms-sql';
import * as factValiditySql from '../../../src/adapters/sql/fact-validity-sql';
import * as memorySql from '../../../src/adapters/sql/memory-sql';

/**
 * The lexical side's in-process snapshots are only as fresh as the user's memory stamp
 * (migration 007), so every statement that adds, deletes or indexes facts must set it.
 */
describe('the memory stamp', () => {
  const statements = Object.entries({ ...memorySql, ...factValiditySql, ...factTermsSql }).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  const changesFacts = (text: string) =>
    /INSERT INTO memory_facts\b|DELETE FROM memory_facts\b|INSERT INTO memory_fact_(terms|lengths)\b/.test(text);

  test('is set by every statement that adds, deletes or indexes facts (ForgetUser removes it with the row)', () => {
    const writers = statements.filter(([, text]) => changesFacts(text));
    expect(writers.map(([name]) => name).sort()).toEqual([
      'DELETE_EXPIRED_FACTS',
      'DELETE_FACTS',
      'FORGET_USER',
      'INSERT_FACTS',
      'INSERT_FACT_TERMS',
      'INSERT_FACT_VERSION',
      'SWEEP_USER_FACTS',
    ]);
    for (const [name, text] of writers) {
      const stamped = text.includes(memorySql.NEW_FACT_STAMP) || /DELETE FROM user_stats\b/.test(text);
      expect([name, stamped]).toEqual([name, true]);
    }
  });
});
