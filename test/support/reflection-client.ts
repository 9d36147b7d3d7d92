import { type Registry, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { type ServiceClientConstructor, credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

// The reflection protocol's own schema, as the package that serves it ships it.
const REFLECTION_PROTO = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');

interface ReflectionResponse {
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/**
 * Asks the server's reflection (grpc.reflection.v1) for the file declaring `symbol` and its
 * imports, and returns them as a registry that can decode that type — what grpcurl-style
 * clients do with no proto files at hand.
 */
export async function registryFromReflection(address: string, symbol: string): Promise<Registry> {
  const definition = loadSync(REFLECTION_PROTO, { keepCase: false, defaults: true });
  const grpc = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: ServiceClientConstructor } } };
  };
  const client = new grpc.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  try {
    const open = client.ServerReflectionInfo;
    if (!open) throw new Error('the reflection client has no ServerReflectionInfo method');
    const call = open.call(client);
    const answered = new Promise<ReflectionResponse>((resolve, reject) => {
      call.once('data', resolve);
      call.once('error', reject);
    });
    call.write({ fileContainingSymbol: symbol });
    call.end();
    const response = await answered;
    if (!response.fileDescriptorResponse) {
      throw new Error(`reflection found no file for ${symbol}: ${response.errorResponse?.errorMessage}`);
    }
    const [file, ...imports] = response.fileDescriptorResponse.fileDescriptorProto.map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    );
    if (!file) throw new Error(`reflection returned no file for ${symbol}`);
    // The declaring file comes first, its imports after it: resolve them by name.
    return createFileRegistry(file, (name) => imports.find((candidate) => candidate.name === name));
  } finally {
    client.close();
  }
}
