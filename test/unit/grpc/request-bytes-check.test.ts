import { InvalidArgumentError } from '../../../src/domain/errors';
import { AddFactsRequest, MemoryServiceService } from '../../../src/gen/recall/v1/memory';
import { SearchRequest, SearchServiceService, UpsertDocumentsRequest } from '../../../src/gen/recall/v1/search';
import { guardDefinition, loadMessageRegistry, undecodableError } from '../../../src/grpc/guarded-definition';

const registry = loadMessageRegistry();
const memory = guardDefinition(MemoryServiceService, registry);
const search = guardDefinition(SearchServiceService, registry);

/** Encodes with `text` as a marker, then swaps the marker's bytes for `raw` (same length). */
function withRawBytes(encoded: Uint8Array, marker: string, raw: number[]): Buffer {
  const bytes = Buffer.from(encoded);
  const at = bytes.indexOf(Buffer.from(marker));
  if (at < 0 || marker.length !== raw.length) throw new Error('marker not found');
  Buffer.from(raw).copy(bytes, at);
  return bytes;
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { k: value };
  return value;
}

const refusal = (request: unknown) => {
  const error = undecodableError(request);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  return error?.violations;
};

describe('request bytes (regression: bad UTF-8 was stored as U+FFFD, undecodable bodies were INTERNAL)', () => {
  const addFacts = (content: string) =>
    AddFactsRequest.encode({ userId: 'u1', facts: [{ content, source: '', confidence: 0, metadata: {} }] }).finish();

  it('names the string field whose bytes are not UTF-8 (a lone surrogate, ed a0 80)', () => {
    const bytes = withRawBytes(addFacts('ok XYZ'), 'XYZ', [0xed, 0xa0, 0x80]);
    expect(refusal(memory.addFacts!.requestDeserialize(bytes))).toEqual([
      { field: 'facts[0].content', description: 'must be valid UTF-8 (proto3 strings are UTF-8)' },
    ]);
  });

  it('names a top-level string (Search query with c3 28)', () => {
    const encoded = SearchRequest.encode(SearchRequest.fromPartial({ query: 'find QQ' })).finish();
    const request = search.search!.requestDeserialize(withRawBytes(encoded, 'QQ', [0xc3, 0x28]));
    expect(refusal(request)?.[0]?.field).toBe('query');
  });

  it('names strings inside metadata by their JSON path, map keys included', () => {
    const doc = (metadata: Record<string, unknown>) =>
      UpsertDocumentsRequest.encode({
        collection: 'c',
        documents: [{ id: 'a', text: 't', metadata, vector: [] }],
      }).finish();
    const inValue = withRawBytes(doc({ tags: ['x', 'BAD'] }), 'BAD', [0x61, 0xff, 0x62]);
    expect(refusal(search.upsertDocuments!.requestDeserialize(inValue))?.[0]?.field).toBe(
      'documents[0].metadata.tags[1]',
    );
    const inKey = withRawBytes(doc({ KEY: 1 }), 'KEY', [0x61, 0xc0, 0x62]);
    expect(refusal(search.upsertDocuments!.requestDeserialize(inKey))?.[0]?.field).toBe(
      'documents[0].metadata (a key)',
    );
  });

  it('refuses metadata nested past the limit, naming where, before the decoder gives up', () => {
    const encode = (depth: number) =>
      Buffer.from(
        UpsertDocumentsRequest.encode({
          collection: 'c',
          documents: [{ id: 'a', text: 't', metadata: nested(depth), vector: [] }],
        }).finish(),
      );
    expect(undecodableError(search.upsertDocuments!.requestDeserialize(encode(32)))).toBeUndefined();
    const violations = refusal(search.upsertDocuments!.requestDeserialize(encode(40)));
    expect(violations?.[0]?.field).toBe(`documents[0].metadata${'.k'.repeat(32)}`);
    expect(violations?.[0]?.description).toBe('must be nested at most 32 levels deep');
  });

  it('answers garbage bytes as a malformed request, not an exception', () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(refusal(memory.listFacts!.requestDeserialize(garbage))).toEqual([
      { field: 'request', description: 'is not a valid recall.v1.ListFactsRequest message (malformed protobuf)' },
    ]);
  });

  it('decodes a valid request exactly as the generated decoder does', () => {
    const bytes = Buffer.from(addFacts('café ☕ 𝄞'));
    expect(memory.addFacts!.requestDeserialize(bytes)).toEqual(AddFactsRequest.decode(bytes));
  });
});
