import { readFileSync } from 'node:fs';
import { type DescMessage, type Registry, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { InvalidArgumentError } from '../domain/errors';
import { DESCRIPTOR_SET_PATH } from './reflection';
import { checkRequestBytes } from './request-bytes-check';

const UNDECODABLE = Symbol('undecodable request');

/** What the guarded deserializer hands grpc-js instead of throwing: the caller's error, kept for the chain. */
export interface UndecodableRequest {
  readonly [UNDECODABLE]: InvalidArgumentError;
}

/** The caller's error when `request` could not be decoded, else undefined. */
export function undecodableError(request: unknown): InvalidArgumentError | undefined {
  return typeof request === 'object' && request !== null && UNDECODABLE in request
    ? (request as UndecodableRequest)[UNDECODABLE]
    : undefined;
}

/** The compiler's descriptors of every message the server decodes. */
export function loadMessageRegistry(descriptorSetPath = DESCRIPTOR_SET_PATH): Registry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath)));
}

/**
 * A copy of `definition` whose request deserializers never throw. grpc-js decodes before any
 * handler runs and answers a throw with INTERNAL, uncounted and unlogged; a request that is
 * not valid protobuf, holds a string that is not UTF-8 (the generated decoder would silently
 * turn it into U+FFFD) or nests metadata too deep is the caller's error instead: the
 * deserializer returns an UndecodableRequest carrying an InvalidArgumentError naming the
 * field, and the middleware chain (see undecodableRequestMiddleware) throws it in the call.
 */
export function guardDefinition<D extends ServiceDefinition>(definition: D, registry: Registry): D {
  const guarded: Record<string, unknown> = {};
  for (const [key, method] of Object.entries(definition)) {
    const message = requestMessage(method.path, registry);
    const typeName = message.typeName;
    const decode = method.requestDeserialize;
    guarded[key] = {
      ...method,
      requestDeserialize(bytes: Buffer): unknown {
        let violation: ReturnType<typeof checkRequestBytes>;
        try {
          violation = checkRequestBytes(bytes, message);
          if (!violation) return decode(bytes);
        } catch {
          violation = { field: 'request', description: `is not a valid ${typeName} message (malformed protobuf)` };
        }
        return { [UNDECODABLE]: new InvalidArgumentError([violation]) } satisfies UndecodableRequest;
      },
    };
  }
  return guarded as D;
}

/** The request message of `/package.Service/Method`, from the descriptors. */
function requestMessage(path: string, registry: Registry): DescMessage {
  const [, service = '', method = ''] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  const input = registry.getService(service)?.methods.find((m) => m.name === method)?.input;
  if (!input) throw new Error(`no descriptor for ${path} (run npm run generate)`);
  return input;
}
