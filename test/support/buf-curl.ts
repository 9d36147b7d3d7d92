import { execFile } from 'node:child_process';
import path from 'node:path';

const BUF = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'buf');

/** Result of one `buf curl` call: its JSON output and the gRPC status (exit code / 8). */
export interface BufCurlResult {
  status: number;
  json: Record<string, unknown> | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Calls `method` (e.g. `recall.v1.MemoryService/AddFacts`) with `buf curl`, which learns the
 * schema from the server's reflection alone — no proto files — as an engineer would.
 */
export function bufCurl(
  address: string,
  method: string,
  body: unknown,
  extraArgs: string[] = [],
): Promise<BufCurlResult> {
  const args = ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '-d', JSON.stringify(body), ...extraArgs];
  args.push(`http://${address}/${method}`);
  return new Promise((resolve) => {
    execFile(BUF, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      let json: Record<string, unknown> | undefined;
      try {
        json = stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: typeof code === 'number' ? code / 8 : -1, json, stdout, stderr });
    });
  });
}

/** `buf curl --list-services` against the server's reflection. */
export function bufListServices(address: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      BUF,
      ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '--list-services', `http://${address}`],
      { timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout.trim().split('\n'))),
    );
  });
}
