// The host schedule of a partitioned graph: which buffer every value lives in, where transients
// sit in one arena (reused by lifetime), the order of dispatches, control-flow steps and copies,
// and barriers where data flows.
import { byteSize } from '../ir/dtype.js';
import { freeValues } from '../ir/free-values.js';
import { walkNodes, type IRModule, type Value } from '../ir/graph.js';
import type { Step } from '../ir/partition.js';
import { isStaticShape, staticSize } from '../ir/types.js';
import { IreetsError } from '../util/errors.js';

/** 256: WebGPU's minStorageBufferOffsetAlignment, so arena offsets bind directly on every target. */
export const ARENA_ALIGNMENT = 256;

/** Where a value's bytes are: a caller input, a module constant, an arena, or an output buffer. */
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
  | { readonly kind: 'dispatch'; readonly step: number; readonly barrierBefore: boolean }
  /** A control-flow node (if, loop) the host program runs itself. */
  | { readonly kind: 'host'; readonly step: number; readonly barrierBefore: boolean }
  /** Copies a value into an output buffer (outputs that are inputs, constants or views of them). */
  | { readonly kind: 'copy'; readonly from: BindingRef; readonly to: BindingRef; readonly barrierBefore: boolean };

export interface Schedule {
  readonly ops: readonly ScheduledOp[];
  /** Where every value of the graph lives. */
  readonly placements: ReadonlyMap<number, BindingRef>;
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
  if (!isStaticShape(v.type.shape)) throw new IreetsError('MODEL_UNSUPPORTED', `value %${v.name} has no static size`);
  return staticSize(v.type.shape) * byteSize(v.type.dtype);
}

const alignUp = (n: number): number => Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;

/** Values a step reads (for control flow: its operands and everything its regions capture). */
export function stepReads(s: Step): Value[] {
  if (s.kind === 'dispatch') return [...s.region.inputs];
  if (s.kind === 'alias') return [s.input];
  return [...s.node.inputs.filter((v): v is Value => v !== null), ...s.node.regions.flatMap(freeValues)];
}

/** Plans buffers for `steps` (from partitionGraph) of the module's main graph. */
export function scheduleSteps(mod: IRModule, steps: readonly Step[], batched: ReadonlySet<number> = new Set()): Schedule {
  const g = mod.graph;
  const placement = new Map<number, Placement>();
  g.inputs.forEach((v, index) => placement.set(v.id, { kind: 'input', index, offset: 0 }));
  const constants: string[] = [];
  const constantIndex = new Map<string, number>();
  // Constants of control-flow regions join the module's constants too; the host program binds them.
  for (const n of walkNodes(g)) {
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
  for (const s of steps) {
    if (s.kind !== 'dispatch') continue;
    const index = outputIndex.get(s.region.output.id);
    if (index !== undefined) placement.set(s.region.output.id, { kind: 'output', index, offset: 0 });
  }

  // Lifetimes of arena values: [defining step, last reading step]; aliases extend their source.
  const root = new Map<number, number>();
  const rootOf = (id: number): number => root.get(id) ?? id;
  const lastUse = new Map<number, number>();
  const defined = new Map<number, number>();
  const sizes = new Map<number, number>();
  const define = (v: Value, i: number): void => {
    if (placement.has(v.id)) return;
    defined.set(v.id, i);
    sizes.set(v.id, valueBytes(v));
  };
  steps.forEach((s, i) => {
    for (const v of stepReads(s)) lastUse.set(rootOf(v.id), Math.max(lastUse.get(rootOf(v.id)) ?? i, i));
    if (s.kind === 'alias') root.set(s.output.id, rootOf(s.input.id));
    else if (s.kind === 'dispatch') define(s.region.output, i);
    else for (const o of s.node.outputs) define(o, i);
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

  const placements = new Map<number, BindingRef>();
  const refOf = (v: Value): BindingRef => {
    const p = placement.get(rootOf(v.id)) ?? placement.get(v.id);
    if (!p) throw new IreetsError('INTERNAL', `value %${v.name} has no buffer`);
    return { placement: p, length: valueBytes(v), batched: batched.has(rootOf(v.id)) || batched.has(v.id) };
  };
  for (const v of g.inputs) placements.set(v.id, refOf(v));
  for (const n of g.nodes) for (const o of n.outputs) if (placement.has(rootOf(o.id)) || placement.has(o.id)) placements.set(o.id, refOf(o));
  for (const s of steps) if (s.kind === 'alias') placements.set(s.output.id, refOf(s.output));

  // Barriers: before a step that reads a byte range written since the last barrier.
  const ops: ScheduledOp[] = [];
  let dirty: BindingRef[] = [];
  const overlaps = (a: BindingRef, b: BindingRef): boolean => {
    if (a.placement.kind !== b.placement.kind) return false;
    if ('index' in a.placement && 'index' in b.placement && a.placement.index !== b.placement.index) return false;
    return a.placement.offset < b.placement.offset + b.length && b.placement.offset < a.placement.offset + a.length;
  };
  steps.forEach((s, i) => {
    if (s.kind === 'alias') return;
    const reads = stepReads(s).map(refOf);
    const writes = s.kind === 'dispatch' ? [refOf(s.region.output)] : s.node.outputs.map(refOf);
    const barrierBefore = [...reads, ...writes].some((r) => dirty.some((d) => overlaps(r, d)));
    if (barrierBefore) dirty = [];
    dirty.push(...writes);
    ops.push({ kind: s.kind === 'dispatch' ? 'dispatch' : 'host', step: i, barrierBefore });
  });
  const outputBytes = g.outputs.map(valueBytes);
  const outputBatched = g.outputs.map((v) => batched.has(v.id));
  g.outputs.forEach((v, index) => {
    const from = refOf(v);
    if (from.placement.kind === 'output' && from.placement.index === index) return;
    ops.push({ kind: 'copy', from, to: { placement: { kind: 'output', index, offset: 0 }, length: from.length, batched: from.batched }, barrierBefore: true });
  });
  return { ops, placements, arenaBytes, batchArenaBytes, intermediateBytes, constants, outputBytes, outputBatched };
}
