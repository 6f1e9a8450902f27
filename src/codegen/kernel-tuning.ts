// Kernel tuning: knobs that change how a region's kernel is generated, never what it computes.
// Each strategy reads the knobs it can express and ignores the rest; `tuningSpace` (per target,
// in strategies/ and gpu/) says which knobs a region's strategy reads and which values are worth
// trying there, so the autotuner never spends a trial on a knob nobody reads.

export interface KernelTuning {
  /** CPU: false runs every loop scalar, ignoring the lowering's SIMD hints (vector width 1 instead of 4). */
  vectorize?: boolean;
  /** CPU invocation tile: rows of a matmul register tile (MR), output pixels of a conv register tile. */
  tileRows?: number;
  /** CPU: reduction (K) steps per inner-loop iteration of the matmul micro-kernel. */
  unroll?: number;
  /** CPU workgroup tile: workgroups the work split aims for (each runs on one thread; fewer = bigger tiles). */
  workgroups?: number;
  /** GPU: invocations per 1-D workgroup (one-element-per-invocation kernels). */
  workgroupSize?: number;
  /** GPU workgroup tile: invocations per side of a tiled-matmul workgroup (tile² invocations). */
  workgroupTile?: number;
  /** GPU invocation tile: outputs per invocation along each side of a tiled matmul (r × r accumulators). */
  registerTile?: number;
  /** GPU: invocations of a tree-reduction workgroup. */
  reduceWorkgroupSize?: number;
}

export type KnobName = keyof KernelTuning;
export type KnobValue = number | boolean;

export interface KnobDef {
  name: KnobName;
  /** Which targets' kernels read it: a CPU knob never recompiles a GPU executable, and back. */
  family: 'cpu' | 'gpu';
  kind: 'boolean' | 'integer';
  /** Inclusive bounds of an integer knob (what any strategy could accept). */
  min?: number;
  max?: number;
  /** Integer knobs that must be powers of two (workgroup shapes). */
  powerOfTwo?: boolean;
}

export const KNOBS: readonly KnobDef[] = [
  { name: 'vectorize', family: 'cpu', kind: 'boolean' },
  { name: 'tileRows', family: 'cpu', kind: 'integer', min: 1, max: 8 },
  { name: 'unroll', family: 'cpu', kind: 'integer', min: 1, max: 4 },
  { name: 'workgroups', family: 'cpu', kind: 'integer', min: 1, max: 1024 },
  { name: 'workgroupSize', family: 'gpu', kind: 'integer', min: 1, max: 1024, powerOfTwo: true },
  { name: 'workgroupTile', family: 'gpu', kind: 'integer', min: 1, max: 32, powerOfTwo: true },
  { name: 'registerTile', family: 'gpu', kind: 'integer', min: 1, max: 8 },
  { name: 'reduceWorkgroupSize', family: 'gpu', kind: 'integer', min: 2, max: 1024, powerOfTwo: true },
];

export const KNOB_BY_NAME: ReadonlyMap<string, KnobDef> = new Map(KNOBS.map((k) => [k.name, k]));

/** One knob a region's strategy reads: the values worth trying (default first) and why it exists. */
export interface TuningKnob {
  name: KnobName;
  /** Candidate values, pruned by the target's limits and what the strategy can express; [0] is the default. */
  values: readonly KnobValue[];
}

/** The knobs of one region on one target; empty when its kernel has nothing to tune. */
export interface TuningSpace {
  /** The strategy that lowers the region (e.g. `matmul`, `conv`, `generic`), for reports. */
  strategy: string;
  knobs: readonly TuningKnob[];
}

/** Why a knob value is out of range, or undefined when it is fine. */
export function knobValueError(name: string, value: unknown): string | undefined {
  const def = KNOB_BY_NAME.get(name);
  if (!def) return `unknown tuning setting ${name} (known: ${KNOBS.map((k) => k.name).join(', ')})`;
  if (def.kind === 'boolean') return typeof value === 'boolean' ? undefined : `tuning setting ${name} must be true or false`;
  if (typeof value !== 'number' || !Number.isInteger(value)) return `tuning setting ${name} must be an integer`;
  if (value < def.min! || value > def.max!) return `tuning setting ${name} must be in ${def.min}..${def.max}, got ${value}`;
  if (def.powerOfTwo && (value & (value - 1)) !== 0) return `tuning setting ${name} must be a power of two, got ${value}`;
  return undefined;
}

/** Only the knobs of `family`, in the canonical order of KNOBS (a stable cache key). */
export function knobsFor(tuning: KernelTuning, family: 'cpu' | 'gpu'): KernelTuning {
  const out: Record<string, KnobValue> = {};
  for (const k of KNOBS) {
    const v = tuning[k.name];
    if (k.family === family && v !== undefined) out[k.name] = v;
  }
  return out as KernelTuning;
}
