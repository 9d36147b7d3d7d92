import { renderText } from '../report/report-table';

/** The parts of a V8 `.cpuprofile` (node --cpu-prof) this reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** CPU time (ms) per layer of the server, inside one time window. */
export type LayerTimes = Map<string, number>;

/**
 * Which layer a frame belongs to, by its script (first match wins). A frame matching none
 * (a builtin, a protobuf wire helper, node's timers) is neutral: the sample goes to the
 * nearest caller that has a layer.
 */
const LAYERS: Array<[RegExp, string]> = [
  [/src\/grpc\/request-bytes-check/, 'request byte check'],
  [/src\/grpc\/guarded-definition/, 'request decode'],
  [/src\/grpc\/middleware\/request-id/, 'middleware: request id'],
  [/src\/grpc\/middleware\/metrics|prom-client/, 'middleware: metrics (prom-client)'],
  [
    /src\/grpc\/middleware\/logging|src\/observability\/logger|\/pino|sonic-boom|fast-redact|safe-stable-stringify/,
    'middleware: logging (pino)',
  ],
  [/src\/grpc\/middleware\/auth/, 'middleware: auth'],
  [/src\/grpc\/middleware\/deadline/, 'middleware: deadline'],
  [/src\/grpc\/middleware\/|src\/grpc\/rpc-runtime/, 'middleware: chain + adapter'],
  [/src\/grpc\/error-status/, 'error mapping'],
  [/src\/grpc\//, 'handler + validation'],
  [/opossum|src\/resilience\//, 'breaker'],
  [/pg-pool/, 'pool checkout'],
  [/\/pg\/|pg-protocol|pg-types|src\/adapters\/postgres|src\/adapters\/sql/, 'SQL (pg driver + store adapter)'],
  [/pglite/, 'PGlite'],
  [/src\/adapters\/milvus|src\/adapters\/filters/, 'Milvus adapter (recall)'],
  [/milvus2-sdk/, 'Milvus SDK'],
  [/\/protobufjs\/|@grpc\/proto-loader/, 'protobufjs (Milvus messages)'],
  [/src\/adapters\/embedded-vectors/, 'vector store'],
  [/src\/adapters\/embedders|src\/adapters\/rerankers|onnxruntime|transformers/, 'embedder / reranker'],
  [/src\/domain\//, 'domain'],
  [/@grpc\/grpc-js/, 'grpc-js'],
  [/node:internal\/http2|node:http2/, 'HTTP/2 (node)'],
  [/node:net|node:internal\/stream_base|node:internal\/streams|node:internal\/net/, 'sockets + streams (node)'],
];

const GENERATED = /src\/gen\//;

function layerOf(functionName: string, url: string): string | undefined {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8 / native (unattributed)';
  if (functionName === '(idle)') return 'idle';
  // ts-proto output: requests are decoded, responses built and encoded.
  if (GENERATED.test(url)) return /decode/i.test(functionName) ? 'request decode' : 'response build + encode';
  for (const [pattern, layer] of LAYERS) if (pattern.test(url)) return layer;
  return undefined;
}

/** Sums the samples taken in `window` ([from, to] in µs of the profile's clock) per layer. */
export function attributeLayers(profile: CpuProfile, window: [number, number]): LayerTimes {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const cache = new Map<number, string>();
  const layerOfNode = (id: number): string => {
    const known = cache.get(id);
    if (known) return known;
    let layer: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !layer; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      layer = layerOf(frame.functionName, frame.url);
    }
    const found = layer ?? 'other (node runtime)';
    cache.set(id, found);
    return found;
  };
  const times: LayerTimes = new Map();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < window[0] || t > window[1]) continue;
    const next = profile.timeDeltas[i + 1] ?? delta;
    const layer = layerOfNode(profile.samples[i]!);
    times.set(layer, (times.get(layer) ?? 0) + next / 1000);
  }
  return times;
}

/** A table of the layers, busiest first: CPU ms per call and share of the busy CPU. */
export function renderLayers(times: LayerTimes, calls: number): string {
  const busy = [...times].filter(([layer]) => layer !== 'idle');
  const total = busy.reduce((s, [, ms]) => s + ms, 0);
  const rows = busy
    .sort((a, b) => b[1] - a[1])
    .map(([layer, ms]) => [layer, ((ms * 1000) / calls).toFixed(1), `${((ms / total) * 100).toFixed(1)} %`]);
  rows.push(['total busy', ((total * 1000) / calls).toFixed(1), '100 %']);
  rows.push(['idle', (((times.get('idle') ?? 0) * 1000) / calls).toFixed(1), '']);
  return renderText([['layer', 'CPU µs / call', 'share of busy CPU'], ...rows]);
}
