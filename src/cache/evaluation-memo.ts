/**
 * Rows of numbers by exact parameter row: an open-addressing hash table over typed arrays, with
 * no object or string per entry. A backtest is deterministic, so a configuration that a search
 * proposes again (NSGA-II offspring often repeat a parent; a small discrete space is soon
 * exhausted) takes the metric row it had instead of a new simulation.
 *
 * Keys are compared value by value (NaN, an inactive parameter, equals NaN; -0 equals 0). The table
 * holds at most `maxEntries` rows and starts again empty when a new row finds it full: it is a
 * cache, and a row it no longer holds is only simulated again, to the same values. Its memory is
 * therefore bounded by `maxEntries`, whatever the budget. It grows by doubling up to that bound,
 * so a short run allocates little.
 */

/** Entries a table starts with; it doubles as rows are added, up to its `maxEntries`. */
const INITIAL_ENTRIES = 1024;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** 32-bit murmur3 hash of the bits of `d` numbers from `offset`. */
function hashRow(X: Float64Array, offset: number, d: number): number {
  let h = d;
  for (let j = 0; j < d; j++) {
    const x = X[offset + j];
    // One hash for every NaN and for both zeros, as equality treats them.
    f64[0] = x !== x ? NaN : x === 0 ? 0 : x;
    h = mix(h, u32[0]);
    h = mix(h, u32[1]);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export class EvaluationMemo {
  /** Entry index + 1 per slot, 0 = empty; twice as many slots as entries keeps probes short. */
  private slots: Int32Array;
  private keys: Float64Array;
  private values: Float64Array;
  private hashes: Int32Array;
  private capacity: number;
  /** Rows held now. */
  size = 0;

  /**
   * @param d numbers per key row (parameters)
   * @param w numbers per value row (metrics)
   * @param maxEntries most rows held at once (>= 1)
   */
  constructor(
    readonly d: number,
    readonly w: number,
    readonly maxEntries: number,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`EvaluationMemo: maxEntries must be an integer >= 1, got ${maxEntries}`);
    this.capacity = Math.min(maxEntries, INITIAL_ENTRIES);
    this.slots = new Int32Array(slotCount(this.capacity));
    this.keys = new Float64Array(this.capacity * d);
    this.values = new Float64Array(this.capacity * w);
    this.hashes = new Int32Array(this.capacity);
  }

  /** Bytes one entry takes at full size (key, value, hash, two slots): what `maxEntries` is sized by. */
  static bytesPerEntry(d: number, w: number): number {
    return 8 * (d + w) + 4 + 2 * 4;
  }

  /** The entry holding key row `X[offset .. offset + d)`, or -1. */
  find(X: Float64Array, offset: number): number {
    return this.lookup(X, offset, hashRow(X, offset, this.d));
  }

  private lookup(X: Float64Array, offset: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = this.slots[s] - 1;
      if (e < 0) return -1;
      if (this.hashes[e] === h && this.sameKey(e, X, offset)) return e;
    }
  }

  /** Copy the value row of entry `e` into `out` at `outOffset`. */
  copyValue(e: number, out: Float64Array, outOffset: number): void {
    out.set(this.values.subarray(e * this.w, (e + 1) * this.w), outOffset);
  }

  /** Number `k` of the value row of entry `e`. */
  valueAt(e: number, k: number): number {
    return this.values[e * this.w + k];
  }

  /** Remember `V[vOffset .. vOffset + w)` for key row `X[offset ..)`, unless that key is held already. */
  insert(X: Float64Array, offset: number, V: Float64Array, vOffset: number): void {
    const h = hashRow(X, offset, this.d);
    if (this.lookup(X, offset, h) >= 0) return;
    if (this.size === this.capacity) {
      if (this.capacity < this.maxEntries) this.grow(Math.min(this.maxEntries, 2 * this.capacity));
      else this.clear();
    }
    const e = this.size++;
    const { d, w } = this;
    for (let j = 0; j < d; j++) this.keys[e * d + j] = X[offset + j];
    for (let k = 0; k < w; k++) this.values[e * w + k] = V[vOffset + k];
    this.hashes[e] = h;
    this.place(e);
  }

  private sameKey(e: number, X: Float64Array, offset: number): boolean {
    const { d, keys } = this;
    for (let j = 0; j < d; j++) {
      const a = keys[e * d + j];
      const b = X[offset + j];
      if (a !== b && !(a !== a && b !== b)) return false;
    }
    return true;
  }

  private place(e: number): void {
    const mask = this.slots.length - 1;
    let s = this.hashes[e] & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = e + 1;
  }

  private grow(capacity: number): void {
    const keys = new Float64Array(capacity * this.d);
    keys.set(this.keys);
    const values = new Float64Array(capacity * this.w);
    values.set(this.values);
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.keys = keys;
    this.values = values;
    this.hashes = hashes;
    this.capacity = capacity;
    this.slots = new Int32Array(slotCount(capacity));
    for (let e = 0; e < this.size; e++) this.place(e);
  }

  /** Forget every row (the memory stays allocated for the next ones). */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }
}

/** The power of two at least twice `entries`. */
function slotCount(entries: number): number {
  let n = 2;
  while (n < 2 * entries) n *= 2;
  return n;
}
