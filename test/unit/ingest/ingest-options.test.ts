import { UsageError, parseIngestOptions } from '../../../src/cli/ingest/ingest-options';
import { SEARCH_LIMITS } from '../../../src/domain/search';

describe('parseIngestOptions', () => {
  it('defaults the target to 127.0.0.1:$GRPC_PORT and the token to $AUTH_TOKEN', () => {
    const options = parseIngestOptions(['--collection', 'docs', 'f.jsonl'], {
      GRPC_PORT: '6000',
      AUTH_TOKEN: 's3cret',
    });
    expect(options).toMatchObject({
      collection: 'docs',
      file: 'f.jsonl',
      target: '127.0.0.1:6000',
      token: 's3cret',
      batchSize: 100,
      concurrency: 2,
      direct: false,
    });
    expect(parseIngestOptions(['-c', 'docs', 'f.jsonl'], {}).target).toBe('127.0.0.1:50051');
  });

  it.each([
    [['f.jsonl'], '--collection is required'],
    [['--collection', 'docs'], 'a FILE.jsonl is required'],
    [['--collection', '_internal', 'f.jsonl'], '--collection must be'],
    [['--collection', '_golden_answers', 'f.jsonl'], 'reserved for internal collections'],
    [['--collection', `d${'x'.repeat(SEARCH_LIMITS.collectionNameMaxLength)}`, 'f.jsonl'], '--collection must be'],
    [['-c', 'docs', 'f.jsonl', '--batch-size', '1001'], '--batch-size must be between 1 and 1000'],
    [['-c', 'docs', 'f.jsonl', '--concurrency', 'two'], '--concurrency must be a whole number'],
    [['-c', 'docs', 'f.jsonl', '--direct', '--target', 'h:1'], '--direct and --target exclude each other'],
    [['-c', 'docs', 'f.jsonl', '--bogus'], 'Unknown option'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseIngestOptions(argv, {})).toThrow(UsageError);
    expect(() => parseIngestOptions(argv, {})).toThrow(message);
  });

  it('sends every line again unless --resume is given, and resumes only from a file', () => {
    expect(parseIngestOptions(['-c', 'docs', 'f.jsonl'], {})).toMatchObject({
      resume: false,
      checkpointDir: '.recall-ingest',
    });
    expect(parseIngestOptions(['-c', 'docs', 'f.jsonl', '--resume', '--checkpoint-dir', '/tmp/c'], {})).toMatchObject({
      resume: true,
      checkpointDir: '/tmp/c',
    });
    expect(() => parseIngestOptions(['-c', 'docs', '-', '--resume'], {})).toThrow(
      new UsageError('--resume needs a FILE, not standard input'),
    );
  });

  it("takes the server's limits: the longest collection name, the largest batch", () => {
    const name = `d${'x'.repeat(SEARCH_LIMITS.collectionNameMaxLength - 1)}`;
    const options = parseIngestOptions(
      ['-c', name, 'f.jsonl', '--batch-size', `${SEARCH_LIMITS.documentsPerCall}`],
      {},
    );
    expect(options).toMatchObject({ collection: name, batchSize: SEARCH_LIMITS.documentsPerCall });
  });
});
