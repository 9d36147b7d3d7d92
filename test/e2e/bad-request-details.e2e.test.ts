import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromBinary, toJson } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import { bufCurl } from '../support/buf-curl';
import { registryFromReflection } from '../support/reflection-client';
import { type ServerProcess, startServerProcess } from '../support/server-process';

/** The error `buf curl` prints on stderr: a Connect-style JSON error. */
interface BufCurlError {
  code: string;
  message: string;
  details: Array<{ type: string; value: string }>;
}

/**
 * A rejected call seen as an engineer with only the server's reflection sees it: `buf curl`
 * names the BadRequest detail, and the reflection service alone is enough to read its field
 * violations by name. (buf curl decodes error details only against the types compiled into
 * its own binary, which lack google.rpc.BadRequest, so it prints the detail's bytes as
 * base64 whatever the server's reflection offers.)
 */
describe('google.rpc.BadRequest details, with server reflection and no proto files', () => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'recall-bad-request-'));
    server = await startServerProcess({ DATA_DIR: dataDir });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Calls `method` with `body` through buf curl and reads its BadRequest through reflection. */
  async function rejectedCall(method: string, body: unknown) {
    const result = await bufCurl(server.grpcAddress, method, body);
    expect(result.status).toBe(status.INVALID_ARGUMENT);
    const error = JSON.parse(result.stderr) as BufCurlError;
    const registry = await registryFromReflection(server.grpcAddress, 'google.rpc.BadRequest');
    const details = error.details.map(({ type, value }) => {
      const schema = registry.getMessage(type);
      if (!schema) throw new Error(`reflection does not know ${type}`);
      return { [type]: toJson(schema, fromBinary(schema, Buffer.from(value, 'base64'))) };
    });
    return { error, details };
  }

  it('names each offending field of a rejected AddFacts', async () => {
    const { error, details } = await rejectedCall('recall.v1.MemoryService/AddFacts', {
      userId: '',
      facts: [{ content: 'Likes tea' }, { content: '   ' }],
    });
    expect(error).toMatchObject({
      code: 'invalid_argument',
      message: 'user_id: is required; facts[1].content: must not be blank',
    });
    expect(details).toEqual([
      {
        'google.rpc.BadRequest': {
          fieldViolations: [
            { field: 'user_id', description: 'is required' },
            { field: 'facts[1].content', description: 'must not be blank' },
          ],
        },
      },
    ]);
  });

  it('names each offending document of a rejected UpsertDocuments', async () => {
    const { details } = await rejectedCall('recall.v1.SearchService/UpsertDocuments', {
      collection: 'docs',
      documents: [
        { id: 'a', text: 'fine' },
        { id: 'a', text: ' ' },
      ],
    });
    expect(details).toEqual([
      {
        'google.rpc.BadRequest': {
          fieldViolations: [
            { field: 'documents[1].id', description: 'is repeated in this batch' },
            { field: 'documents[1].text', description: 'must not be blank' },
          ],
        },
      },
    ]);
  });
});
