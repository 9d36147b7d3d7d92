import { get } from 'node:http';

/** GET `url` on the sidecar: its status and body (status 0 when it does not answer within `timeoutMs`). */
export function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', () => resolve({ status: 0, body }));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve({ status: 0, body: '' }));
  });
}

/** The HTTP status of `GET <metricsUrl><path>` (0 when the sidecar does not answer). */
export async function httpStatus(metricsUrl: string, path: string): Promise<number> {
  return (await httpGet(`${metricsUrl}${path}`, 2_000)).status;
}

/** The value of one unlabelled metric on `/metrics` (undefined when absent). */
export async function metricValue(metricsUrl: string, name: string): Promise<number | undefined> {
  const { body } = await httpGet(`${metricsUrl}/metrics`);
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
