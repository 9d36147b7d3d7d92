/**
 * 32-bit hashing for feature hashing: FNV-1a over UTF-16 code units, finished with
 * MurmurHash3's fmix32 so that every output bit depends on every input bit (FNV alone
 * spreads short inputs poorly over the low bits a modulo keeps).
 */

/** Hash of `text[start, end)` under `seed`, as an unsigned 32-bit integer. */
export function hashRange(text: string, start: number, end: number, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** MurmurHash3's finaliser: a bijective avalanche of a 32-bit value. */
export function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
