import { status } from '@grpc/grpc-js';
import {
  AlreadyExistsError,
  DeadlineExceededError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '../../../src/domain/errors';
import { BadRequest } from '../../../src/gen/google/rpc/error_details';
import { Status } from '../../../src/gen/google/rpc/status';
import { toGrpcStatus } from '../../../src/grpc/error-status';

describe('error to status mapping', () => {
  it.each([
    [new NotFoundError('conversation x not found'), status.NOT_FOUND],
    [new AlreadyExistsError('question exists'), status.ALREADY_EXISTS],
    [new UnavailableError('postgres is unavailable'), status.UNAVAILABLE],
    [new DeadlineExceededError(), status.DEADLINE_EXCEEDED],
  ])('maps %p', (error, code) => {
    const mapped = toGrpcStatus(error);
    expect(mapped.error.code).toBe(code);
    expect(mapped.error.details).toBe(error.message);
  });

  it('hides unexpected errors behind a generic INTERNAL and asks for the cause to be logged', () => {
    const mapped = toGrpcStatus(new Error('connection string postgres://u:secret@h/db is wrong'));
    expect(mapped.error).toMatchObject({ code: status.INTERNAL, details: 'internal error' });
    expect(mapped.logCause).toBe(true);
  });

  it('carries google.rpc.BadRequest details naming each field', () => {
    const error = new InvalidArgumentError([
      { field: 'user_id', description: 'is required' },
      { field: 'facts[2].content', description: 'must not be blank' },
    ]);
    const mapped = toGrpcStatus(error);
    expect(mapped.error.code).toBe(status.INVALID_ARGUMENT);
    expect(mapped.error.details).toBe('user_id: is required; facts[2].content: must not be blank');
    const raw = mapped.error.metadata?.get('grpc-status-details-bin')[0] as Buffer;
    const details = Status.decode(raw);
    expect(details).toMatchObject({ code: status.INVALID_ARGUMENT, message: mapped.error.details });
    const [any] = details.details;
    const typeUrl = any?.typeUrl;
    const fields = any ? BadRequest.decode(any.value).fieldViolations.map((v) => [v.field, v.description]) : [];
    expect(typeUrl).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(fields).toEqual([
      ['user_id', 'is required'],
      ['facts[2].content', 'must not be blank'],
    ]);
  });
});
