// The host schedule of a partitioned graph: which buffer every value lives in, where transients
// sit in one arena (reused by lifetime), dispatch order, and barriers where data flows.
import { byteSize } from '../ir/dtype.js';
import type { IRModule, Value } from '../ir/graph.js';
import type { Step } from '../ir/partition.js';
import { staticSize } from '../ir/types.js';

export const ARENA_ALIGNMENT = 64;

/** Where a value's bytes are: a caller input, a module constant, the arena, or an output buffer. */
export type Placement =
  | { readonly kind: 'input'; readonly index: number; readonly offset: 0 }
  | { readonly kind: 'constant'; readonly index: number; readonly offset: 0 }
  | { readonly kind: 'arena'; readonly offset: number }
  /** The batch arena: offsets and sizes are per sample, scaled by the batch size at run time. */
  | { readonly kind: 'batch-arena'; readonly offset: number }
  | { readonly kind: 'output'; readonly index: number; readonly offset: 0 };

export interface BindingRef {
  readonly placement: Placement;
  /** Bytes; per sample when `batched` (the host multiplies by the batch size). */
  readonly length: number;
  readonly batched: boolean;
}

export type ScheduledOp =
  | { readonly kind: 'dispatch'; readonly step: number; readonly bindings: readonly BindingRef[]; readonly barrierBefore: boolean }
  /** Copies a value into an output buffer (outputs that are inputs, constants or views of them). */
  | { readonly kind: 'copy'; readonly from: BindingRef; readonly to: BindingRef; readonly barrierBefore: boolean };

export interface Schedule {
  readonly ops: readonly ScheduledOp[];
  /** Bytes of the transient arena (peak of live intermediates, with reuse). */
  readonly arenaBytes: number;
  /** Bytes per sample of the batch arena (batched intermediates). */
  readonly batchArenaBytes: number;
  /** Sum of all intermediates' sizes, what a no-reuse allocator would need. */
  readonly intermediateBytes: number;
  /** Constant hashes in rodata order. */
  readonly constants: readonly string[];
  /** Per output: bytes (per sample when batched) and whether it is batched. */
  readonly outputBytes: readonly number[];
  readonly outputBatched: readonly boolean[];
}

export function valueBytes(v: Value): number {
  return staticSize(v.type.shape as number[]) * byteSize(v.type.dtype);
}

const alignUp = (n: number): number => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

/** Plans buffers for `steps` (from partitionGraph) of the module's main graph. Host steps are not supported here. */
export function scheduleSteps(mod: IRModule, steps: readonly Step[], batched: ReadonlySet<number> = new Set()): Schedule {
  const g = mod.graph;
  const placement = new Map<number, Placement>();
  g.inputs.forEach((v, index) => placement.set(v.id, { kind: 'input', index, offset: 0 }));
  const constants: string[] = [];
  const constantIndex = new Map<string, number>();
  for (const n of g.nodes) {
    if (n.op !== 'constant') continue;
    const hash = n.attrs['hash'] as string;
    if (!constantIndex.has(hash)) {
      constantIndex.set(hash, constants.length);
      constants.push(hash);
    }
    placement.set(n.outputs[0]!.id, { kind: 'constant', index: constantIndex.get(hash)!, offset: 0 });
  }

  // Graph outputs computed by a dispatch are written straight into their output buffer.
  const outputIndex = new Map<number, number>();
  g.outputs.forEach((v, i) => {
    if (!outputIndex.has(v.id)) outputIndex.set(v.id, i);
  });
  const dispatchIndexOf = new Map<number, number>();
  steps.forEach((s, i) => {
    if (s.kind === 'dispatch') dispatchIndexOf.set(s.region.output.id, i);
  });
  for (const [id, index] of outputIndex) {
    if (dispatchIndexOf.has(id)) placement.set(id, { kind: 'output', index, offset: 0 });
  }

  // Lifetimes of arena values: [defining step, last reading step]; aliases extend their source.
  const root = new Map<number, number>();
  const rootOf = (id: number): number => root.get(id) ?? id;
  const lastUse = new Map<number, number>();
  const defined = new Map<number, number>();
  const sizes = new Map<number, number>();
  steps.forEach((s, i) => {
    if (s.kind === 'alias') {
      root.set(s.output.id, rootOf(s.input.id));
      lastUse.set(rootOf(s.input.id), Math.max(lastUse.get(rootOf(s.input.id)) ?? i, i));
    } else if (s.kind === 'dispatch') {
      const out = s.region.output;
      if (!placement.has(out.id)) {
        defined.set(out.id, i);
        sizes.set(out.id, valueBytes(out));
      }
      for (const v of s.region.inputs) lastUse.set(rootOf(v.id), i);
    }
  });
  for (const v of g.outputs) lastUse.set(rootOf(v.id), steps.length);

  // Greedy first-fit over lifetimes, biggest first: deterministic and close to optimal here.
  // Batched values go to their own arena, laid out per sample so it scales with the batch.
  let intermediateBytes = 0;
  const packArena = (ids: number[], kind: 'arena' | 'batch-arena'): number => {
    const order = ids.sort((a, b) => (sizes.get(b)! - sizes.get(a)!) || (defined.get(a)! - defined.get(b)!) || (a - b));
    const placed: { start: number; end: number; offset: number; size: number }[] = [];
    let bytes = 0;
    for (const id of order) {
      const start = defined.get(id)!;
      const end = lastUse.get(id) ?? start;
      const size = alignUp(Math.max(1, sizes.get(id)!));
      intermediateBytes += size;
      const overlapping = placed.filter((p) => p.start <= end && start <= p.end).sort((a, b) => a.offset - b.offset);
      let offset = 0;
      for (const p of overlapping) {
        if (offset + size <= p.offset) break;
        offset = Math.max(offset, p.offset + p.size);
      }
      placed.push({ start, end, offset, size });
      placement.set(id, { kind, offset });
      bytes = Math.max(bytes, offset + size);
    }
    return bytes;
  };
  const arenaBytes = packArena([...defined.keys()].filter((id) => !batched.has(id)), 'arena');
  const batchArenaBytes = packArena([...defined.keys()].filter((id) => batched.has(id)), 'batch-arena');

  const where = (v: Value): Placement => {
    const p = placement.get(rootOf(v.id)) ?? placement.get(v.id);
    if (!p) throw new Error(`value %${v.name} has no buffer`);
    return p;
  };

  // Barriers: before a dispatch that reads something written since the last barrier.
  const ops: ScheduledOp[] = [];
  let dirty = new Set<string>();
  const keyOf = (p: Placement): string => `${p.kind}:${'index' in p ? p.index : p.offset}`;
  steps.forEach((s, i) => {
    if (s.kind !== 'dispatch') return;
    const reads = s.region.inputs.map(where);
    const barrierBefore = reads.some((p) => dirty.has(keyOf(p)));
    if (barrierBefore) dirty = new Set();
    const out = where(s.region.output);
    dirty.add(keyOf(out));
    ops.push({
      kind: 'dispatch',
      step: i,
      barrierBefore,
      bindings: [...s.region.inputs, s.region.output].map((v) => ({ placement: where(v), length: valueBytes(v), batched: batched.has(rootOf(v.id)) || batched.has(v.id) })),
    });
  });
  const outputBytes = g.outputs.map(valueBytes);
  const outputBatched = g.outputs.map((v) => batched.has(v.id));
  g.outputs.forEach((v, index) => {
    const p = where(v);
    if (p.kind === 'output' && p.index === index) return;
    const b = outputBatched[index]!;
    ops.push({ kind: 'copy', from: { placement: p, length: outputBytes[index]!, batched: b }, to: { placement: { kind: 'output', index, offset: 0 }, length: outputBytes[index]!, batched: b }, barrierBefore: true });
  });
  return { ops, arenaBytes, batchArenaBytes, intermediateBytes, constants, outputBytes, outputBatched };
}
