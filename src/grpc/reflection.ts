import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { Server } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';

/** The compiler's own descriptors of every proto the server speaks (written by `npm run generate`). */
export const DESCRIPTOR_SET_PATH = path.join(__dirname, '..', 'gen', 'descriptors.binpb');

/**
 * Adds server reflection (v1 and v1alpha) fed with the compiler's descriptors, so grpcurl
 * and `buf curl` can call every method with no proto files at hand. Descriptors rebuilt by
 * proto-loader lose imports and map entries and break such clients.
 */
export function addReflection(server: Server, descriptorSetPath = DESCRIPTOR_SET_PATH): void {
  const files = splitDescriptorSet(readFileSync(descriptorSetPath));
  new ReflectionService({ recall: { fileDescriptorProtos: files } } as never).addToServer(server);
}

/** FileDescriptorSet { repeated FileDescriptorProto file = 1; } → each file's bytes. */
function splitDescriptorSet(bytes: Uint8Array): Buffer[] {
  const reader = new BinaryReader(bytes);
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) files.push(Buffer.from(reader.bytes()));
    else reader.skip(wireType);
  }
  return files;
}
