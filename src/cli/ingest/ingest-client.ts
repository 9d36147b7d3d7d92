import { readFileSync } from 'node:fs';
import { type ChannelCredentials, Metadata, credentials, status } from '@grpc/grpc-js';
import { type Document, SearchServiceClient } from '../../gen/recall/v1/search';
import type { UpsertBatch } from './batch-sender';

/** How to reach SearchService. */
export interface IngestClientOptions {
  /** `host:port` (or any grpc-js target). */
  address: string;
  collection: string;
  /** Sent as `authorization: Bearer <token>` when set. */
  token: string | undefined;
  /** Deadline of each UpsertDocuments call. */
  deadlineMs: number;
  /** Use TLS; with `caFile`, trust that CA instead of the system's. */
  tls: boolean;
  caFile: string | undefined;
  /** Largest message the client sends or accepts. */
  maxMessageBytes: number;
}

/** The generated SearchService client bound to one collection. */
export interface IngestClient {
  upsert: UpsertBatch;
  close(): void;
}

/**
 * Connects the generated SearchServiceClient. `upsert` resolves only when the server answered
 * OK and acknowledged exactly the ids sent; otherwise it rejects with the ServiceError (or an
 * INTERNAL-coded error when the acknowledgement does not match).
 */
export function createIngestClient(options: IngestClientOptions): IngestClient {
  const channel: ChannelCredentials = options.tls
    ? credentials.createSsl(options.caFile ? readFileSync(options.caFile) : null)
    : credentials.createInsecure();
  const client = new SearchServiceClient(options.address, channel, {
    'grpc.max_send_message_length': options.maxMessageBytes,
    'grpc.max_receive_message_length': options.maxMessageBytes,
  });

  return {
    upsert(documents: Document[]) {
      const metadata = new Metadata();
      if (options.token) metadata.set('authorization', `Bearer ${options.token}`);
      return new Promise<void>((resolve, reject) => {
        client.upsertDocuments(
          { collection: options.collection, documents },
          metadata,
          { deadline: Date.now() + options.deadlineMs },
          (error, response) => {
            if (error) return reject(error);
            const acknowledged =
              response.ids.length === documents.length && response.ids.every((id, i) => id === documents[i]?.id);
            if (!acknowledged) {
              return reject(
                Object.assign(new Error(`the server acknowledged ${response.ids.length} of ${documents.length} ids`), {
                  code: status.INTERNAL,
                }),
              );
            }
            resolve();
          },
        );
      });
    },
    close: () => client.close(),
  };
}
