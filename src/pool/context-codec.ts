/**
 * A family's evaluation inputs (`ParamLayout` + `SimulationContext`) as a small JSON spec plus
 * binary blobs named by their content hash, so the queue publishes market data and forecast columns
 * once and a worker fetches each blob once, whatever the number of jobs.
 *
 * Every typed array of the context goes into the blob of its group, 8-byte aligned, as raw bytes in
 * this machine's byte order (the spec names it; a worker of the other order refuses): `market` (the
 * panel), `forecasts` (the forecast columns) and `derived` (everything else: derived and ATR
 * columns). The JSON keeps the rest, with a `Map` as its entries and NaN, infinities and -0 as text.
 * The spec's hash covers the blobs' hashes, so one hash names the whole input.
 */
import { endianness } from 'node:os';
import type { ParamLayout } from '../config/param-layout.js';
import { sha256 } from '../hashing.js';
import type { SimulationContext } from '../simulation/context.js';

const FORMAT = 'pnlopt-evaluation-spec/1';
const ALIGN = 8;

/** The typed arrays a context may hold, by constructor name. */
const ARRAYS = { Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array } as const;
type ArrayName = keyof typeof ARRAYS;
type AnyArray = InstanceType<(typeof ARRAYS)[ArrayName]>;

export interface EvaluationInputs {
  readonly layout: ParamLayout;
  readonly ctx: SimulationContext;
}

export interface EncodedInputs {
  /** The spec (JSON text) and its sha256. */
  readonly spec: string;
  readonly hash: string;
  /** Blob bytes by sha256. */
  readonly blobs: ReadonlyMap<string, Uint8Array>;
}

interface SpecFile {
  readonly format: string;
  readonly byteOrder: string;
  /** Per group, the blob's sha256 and length in bytes. */
  readonly blobs: Record<string, { readonly hash: string; readonly bytes: number }>;
  readonly inputs: unknown;
}

/** A typed array in the spec: its group's blob, byte offset and element count. */
interface ArrayRef {
  readonly $array: ArrayName;
  readonly group: string;
  readonly offset: number;
  readonly length: number;
}

function groupOf(contextKey: string): string {
  return contextKey === 'panel' ? 'market' : contextKey === 'forecasts' ? 'forecasts' : 'derived';
}

/** Encode `inputs` as a spec and its blobs. */
export function encodeInputs(inputs: EvaluationInputs): EncodedInputs {
  const parts = new Map<string, { chunks: Uint8Array[]; bytes: number }>();
  const plain = (v: unknown, group: string): unknown => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const name = v.constructor.name as ArrayName;
      if (!(name in ARRAYS)) throw new Error(`cannot publish a ${name} of the evaluation context`);
      const g = parts.get(group) ?? { chunks: [], bytes: 0 };
      parts.set(group, g);
      const offset = g.bytes;
      g.chunks.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      const pad = (ALIGN - (v.byteLength % ALIGN)) % ALIGN;
      if (pad > 0) g.chunks.push(new Uint8Array(pad));
      g.bytes += v.byteLength + pad;
      return { $array: name, group, offset, length: (v as AnyArray).length } satisfies ArrayRef;
    }
    if (v instanceof Map) return { $map: [...v.entries()].map((e) => plain(e, group)) };
    if (Array.isArray(v)) return v.map((x) => plain(x, group));
    // JSON has no NaN, infinities or -0.
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $num: Object.is(v, -0) ? '-0' : String(v) };
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, group)]));
    return v;
  };
  const ctx = Object.fromEntries(Object.entries(inputs.ctx).map(([k, v]) => [k, plain(v, groupOf(k))]));
  const layout = plain(inputs.layout, 'derived');
  const blobs = new Map<string, Uint8Array>();
  const refs: SpecFile['blobs'] = {};
  for (const [group, g] of [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bytes = Buffer.concat(g.chunks);
    const hash = sha256(bytes);
    blobs.set(hash, bytes);
    refs[group] = { hash, bytes: bytes.length };
  }
  const spec = JSON.stringify({ format: FORMAT, byteOrder: endianness(), blobs: refs, inputs: { layout, ctx } } satisfies SpecFile);
  return { spec, hash: sha256(spec), blobs };
}

/**
 * The inputs of `spec`, every typed array a view of one `SharedArrayBuffer` per blob (so a pool's
 * threads share them); `blob(hash, bytes)` supplies a blob's bytes, used as they are when they fill
 * a `SharedArrayBuffer` (several specs may then share one blob), else copied into one.
 */
export async function decodeInputs(spec: string, blob: (hash: string, bytes: number) => Promise<Uint8Array>): Promise<EvaluationInputs> {
  const file = JSON.parse(spec) as SpecFile;
  if (file.format !== FORMAT) throw new Error(`evaluation spec of format ${String(file.format)}, expected ${FORMAT}: run the same pnlopt version on the coordinator and the workers`);
  if (file.byteOrder !== endianness()) throw new Error(`evaluation spec in byte order ${file.byteOrder}, this machine is ${endianness()}`);
  const shared = new Map<string, SharedArrayBuffer>();
  for (const [group, { hash, bytes }] of Object.entries(file.blobs)) {
    const data = await blob(hash, bytes);
    if (data.length !== bytes) throw new Error(`blob ${hash} holds ${data.length} bytes, the spec says ${bytes}`);
    shared.set(group, data.buffer instanceof SharedArrayBuffer && data.byteOffset === 0 && data.byteLength === bytes ? data.buffer : sharedBytes(data).buffer);
  }
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if ('$array' in o) {
      const ref = o as unknown as ArrayRef;
      const View = ARRAYS[ref.$array] as unknown as new (buffer: SharedArrayBuffer, byteOffset: number, length: number) => AnyArray;
      return new View(shared.get(ref.group)!, ref.offset, ref.length);
    }
    if ('$map' in o) return new Map((o.$map as unknown[]).map(revive) as [unknown, unknown][]);
    if ('$num' in o) return Number(o.$num);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
  };
  return revive(file.inputs) as EvaluationInputs;
}

/** A copy of `data` in a `SharedArrayBuffer`. */
export function sharedBytes(data: Uint8Array): Uint8Array<SharedArrayBuffer> {
  const out = new Uint8Array(new SharedArrayBuffer(data.byteLength));
  out.set(data);
  return out;
}
