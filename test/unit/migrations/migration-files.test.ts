import { parseMigration } from '../../../src/adapters/sql/migrations/migration-files';

describe('parseMigration', () => {
  test('a file without markers is all "up" and has no "down"', () => {
    const file = parseMigration('001_init.sql', 'CREATE TABLE t (id int);\n');
    expect(file).toMatchObject({ version: 1, name: '001_init', up: 'CREATE TABLE t (id int);', down: undefined });
    expect(file.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  test('up and down sections are split at their markers; the header comment stays out of both', () => {
    const text = '-- about\n-- migrate:up\nCREATE INDEX i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n';
    expect(parseMigration('003_idx.sql', text)).toMatchObject({
      version: 3,
      up: 'CREATE INDEX i ON t (a);',
      down: 'DROP INDEX i;',
    });
  });

  test('any edit changes the checksum', () => {
    expect(parseMigration('001_a.sql', 'SELECT 1;').checksum).not.toBe(
      parseMigration('001_a.sql', 'SELECT 1; ').checksum,
    );
  });

  test('names that are not NNN_name.sql are refused', () => {
    expect(() => parseMigration('init.sql', '')).toThrow(/001_name\.sql/);
  });
});
