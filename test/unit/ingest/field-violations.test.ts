import { Metadata } from '@grpc/grpc-js';
import { fieldViolations, violationsByDocument } from '../../../src/cli/ingest/field-violations';
import { InvalidArgumentError } from '../../../src/domain/errors';
import { grpcError } from './fake-search-service';

describe('fieldViolations', () => {
  it('reads google.rpc.BadRequest from the status details the service sends', () => {
    const error = grpcError(
      new InvalidArgumentError([
        { field: 'documents[2].text', description: 'must not be blank; really' },
        { field: 'documents[0].vector', description: 'must have 384 dimensions, not 3' },
      ]),
    );
    expect(fieldViolations(error)).toEqual([
      { field: 'documents[2].text', description: 'must not be blank; really' },
      { field: 'documents[0].vector', description: 'must have 384 dimensions, not 3' },
    ]);
  });

  it('falls back to the status message when there are no details', () => {
    const error = {
      details: 'documents[1].id: is repeated in this batch; collection: is reserved',
      metadata: new Metadata(),
    };
    expect(fieldViolations(error)).toEqual([
      { field: 'documents[1].id', description: 'is repeated in this batch' },
      { field: 'collection', description: 'is reserved' },
    ]);
  });

  it('groups violations by document index and keeps the others apart', () => {
    const { byIndex, other } = violationsByDocument([
      { field: 'documents[3].text', description: 'must not be blank' },
      { field: 'documents[3].metadata', description: 'too big' },
      { field: 'documents[10]', description: 'odd' },
      { field: 'collection', description: 'is reserved' },
    ]);
    expect([...byIndex]).toEqual([
      [3, ['text: must not be blank', 'metadata: too big']],
      [10, ['odd']],
    ]);
    expect(other).toEqual([{ field: 'collection', description: 'is reserved' }]);
  });
});
