import { FailedPreconditionError } from '../../domain/errors';
import { DOT_SCAN_WASM } from './dot-scan-wasm';

const PAGE_BYTES = 65_536;
/** A WebAssembly (wasm32) memory holds at most 4 GiB. */
const MAX_BYTES = 65_536 * PAGE_BYTES;
type ScanRows = (rowsAt: number, rows: number, stride: number, query: number, out: number) => void;

/** The part of the WebAssembly API used here: Node has it, @types/node 20 does not declare it. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Wasm {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let compiled: object | undefined;

/**
 * Float32 rows in a WebAssembly memory of their own, scored against a query by the SIMD
 * kernel of dot-scan.wat: five to six times faster than the same loop in JavaScript. A row
 * takes `stride` floats, the dimension rounded up to a multiple of 4; the query is
 * zero-padded, so the padding never counts. Layout: the rows from offset 0, then the query, then one
 * score per row; growing moves the query and the scores, never the rows.
 */
export class RowMemory {
  /** Floats per row. */
  readonly stride: number;
  private readonly memory: WasmMemory;
  private readonly scanRows: ScanRows;
  private capacity = 0;
  /** Every row, `stride` floats each; replaced when the memory grows. */
  private view = new Float32Array(0);

  constructor(
    readonly dimension: number,
    initialRows = 64,
  ) {
    this.stride = Math.ceil(dimension / 4) * 4;
    this.memory = new wasm.Memory({ initial: 1 });
    compiled ??= new wasm.Module(Buffer.from(DOT_SCAN_WASM, 'base64'));
    const instance = new wasm.Instance(compiled, { env: { memory: this.memory } });
    this.scanRows = instance.exports.scan as ScanRows;
    this.reserve(initialRows);
  }

  /** The most rows one memory can hold: rows, query and scores within 4 GiB. */
  get maxRows(): number {
    return Math.floor((MAX_BYTES / 4 - this.stride) / (this.stride + 1));
  }

  /**
   * Makes room for at least `rows` rows, keeping the stored ones (capacity at least doubles,
   * up to maxRows). FailedPreconditionError, with nothing changed, beyond maxRows.
   */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    if (rows > this.maxRows) {
      throw new FailedPreconditionError(
        `the embedded vector store holds at most ${this.maxRows} vectors of dimension ${this.dimension} per collection; use Milvus (MILVUS_ADDRESS) for more`,
      );
    }
    const capacity = Math.min(Math.max(rows, this.capacity * 2), this.maxRows);
    const bytes = (capacity * (this.stride + 1) + this.stride) * 4;
    const pages = Math.ceil(bytes / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) this.memory.grow(pages);
    this.capacity = capacity;
    this.view = new Float32Array(this.memory.buffer, 0, capacity * this.stride);
  }

  /** Stores `vector` (`dimension` floats) as row `slot`, which must be below the capacity. */
  write(slot: number, vector: Float32Array): void {
    this.view.set(vector, slot * this.stride);
  }

  /** Copies row `from` over row `to`. */
  move(from: number, to: number): void {
    this.view.copyWithin(to * this.stride, from * this.stride, (from + 1) * this.stride);
  }

  /** Row `slot`'s `dimension` floats, as a view that is valid until the memory grows. */
  row(slot: number): Float32Array {
    return this.view.subarray(slot * this.stride, slot * this.stride + this.dimension);
  }

  /**
   * The dot product of `query` (`dimension` floats) with each of the first `rows` rows, as a
   * view that is valid until the next call or until the memory grows.
   */
  scores(query: Float32Array, rows: number): Float32Array {
    const queryAt = this.capacity * this.stride;
    const scoresAt = queryAt + this.stride;
    const floats = new Float32Array(this.memory.buffer);
    floats.set(query, queryAt);
    // Zero padding in the query is what keeps a row's padding (old scratch bytes, after the
    // memory grew) out of its score.
    floats.fill(0, queryAt + this.dimension, scoresAt);
    this.scanRows(0, rows, this.stride, queryAt * 4, scoresAt * 4);
    return floats.subarray(scoresAt, scoresAt + rows);
  }
}
