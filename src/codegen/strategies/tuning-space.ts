// The CPU tuning space of a region: which strategy lowers it (as lowerRegion picks it), the knobs
// that strategy reads, and for each knob the values worth a trial here. Candidate values come
// from what the strategy can express (register-tile limits, the matmul's size); each is then
// lowered and emitted, and kept only if the strategy still takes the region with it and its wasm
// differs from every value kept before (so no trial is spent on a kernel already measured).
import type { DispatchRegion } from '../../ir/partition.js';
import type { Kernel, Stmt } from '../kernel-ir.js';
import type { KernelTuning, KnobName, KnobValue, TuningKnob, TuningSpace } from '../kernel-tuning.js';
import { KNOB_BY_NAME } from '../kernel-tuning.js';
import { genericRowSplit, lowerRegionWith } from '../lower-region.js';
import { emitWasmExecutable } from '../wasm/emit-kernel.js';
import { CONV_PIXELS, MAX_CONV_PIXELS } from './conv.js';
import { matchConv2d } from './conv-match.js';
import { DOT_ROWS, MAX_DOT_ROWS } from './matmul-dot.js';
import { MATMUL_ROWS, MATMUL_UNROLL, MAX_MATMUL_ROWS, matchMatmul } from './matmul.js';
import { TARGET_WORKGROUPS } from './work-split.js';

/** The most combinations a region's space multiplies out to (the tuner tries them all). */
export const MAX_COMBINATIONS = 32;

/** A knob's default and its other candidates, most promising first. */
interface Proposal {
  name: KnobName;
  default: KnobValue;
  candidates: readonly KnobValue[];
}

/** Split targets around `d`: halves and doubles first, then quarters and fourfolds. */
function workgroupValues(d: number): number[] {
  const max = KNOB_BY_NAME.get('workgroups')!.max!;
  const out: number[] = [];
  for (const v of [Math.floor(d / 2), d * 2, Math.floor(d / 4), d * 4]) {
    if (v >= 1 && v <= max && v !== d && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Tile sizes in 1..max other than the default that change the tiling of `extent` rows (pixels),
 * nearest the default first, the smaller of two equally near first: on x64 the default is the
 * biggest tile that V8 keeps in registers, and there one smaller beat one bigger (measured).
 */
function tileValues(def: number, max: number, extent: number): number[] {
  const out: number[] = [];
  for (let v = 1; v <= max; v++) {
    // Beyond the extent a tile only grows dead code; one as big as the extent is the default's twin
    // when the default already covers the extent.
    if (v !== def && v <= extent && v !== Math.min(def, extent)) out.push(v);
  }
  return out.sort((a, b) => Math.abs(a - def) - Math.abs(b - def) || a - b);
}

function hasVectorHints(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => (s.k === 'for' && (s.vectorize === true || hasVectorHints(s.body))) || (s.k === 'if' && (hasVectorHints(s.then) || hasVectorHints(s.else ?? []))));
}

/** What the region's strategy reads, with its candidate values before pruning. */
function proposals(strategy: string, region: DispatchRegion, kernel: Kernel): Proposal[] {
  const workgroups: Proposal = { name: 'workgroups', default: TARGET_WORKGROUPS, candidates: workgroupValues(TARGET_WORKGROUPS) };
  switch (strategy) {
    case 'matmul': {
      const { plan } = matchMatmul(region)!;
      return [
        { name: 'tileRows', default: MATMUL_ROWS, candidates: tileValues(MATMUL_ROWS, MAX_MATMUL_ROWS, plan.m) },
        // More K steps than a chunk holds would unroll the whole chunk instead.
        { name: 'unroll', default: MATMUL_UNROLL, candidates: [2, 4].filter((u) => u <= plan.g) },
        workgroups,
      ];
    }
    case 'matmul-dot': {
      const { plan } = matchMatmul(region)!;
      return [{ name: 'tileRows', default: DOT_ROWS, candidates: tileValues(DOT_ROWS, MAX_DOT_ROWS, plan.m) }, workgroups];
    }
    case 'conv': {
      const m = matchConv2d(region)!;
      // A 1×1 conv may run its pixels as one flat row; others tile one output row.
      const rowPixels = m.ws[2] === 1 && m.ws[3] === 1 ? m.os[2]! * m.os[3]! : m.os[3]!;
      return [{ name: 'tileRows', default: CONV_PIXELS, candidates: tileValues(CONV_PIXELS, MAX_CONV_PIXELS, rowPixels) }, workgroups];
    }
    case 'depthwise':
    case 'max-pool':
    case 'reduce':
    case 'elementwise':
      return [workgroups];
    default: {
      // The generic kernel: row blocks, and SIMD hints the emitter may follow.
      const { groups } = genericRowSplit(region);
      const out: Proposal[] = [{ name: 'workgroups', default: groups, candidates: workgroupValues(groups) }];
      if (hasVectorHints(kernel.body)) out.push({ name: 'vectorize', default: true, candidates: [false] });
      return out;
    }
  }
}

interface Lowered {
  /** The strategy's name as reports show it (the matmul strategy's dot-product form apart). */
  strategy: string;
  kernel: Kernel;
  wasm: Uint8Array;
}

/** The region lowered and emitted under `tuning`, or undefined if it does not lower or emit. */
function lower(region: DispatchRegion, tuning: KernelTuning): Lowered | undefined {
  try {
    const { strategy, kernel } = lowerRegionWith(region, 'space', tuning);
    const wasm = emitWasmExecutable([kernel]).code;
    return { strategy: strategy === 'matmul' && matchMatmul(region)?.dot ? 'matmul-dot' : strategy, kernel, wasm };
  } catch {
    return undefined;
  }
}

/** Whether two lowerings run the same: the same wasm over the same workgroup grid. */
function sameKernel(a: Lowered, b: Lowered): boolean {
  if (a.wasm.length !== b.wasm.length || JSON.stringify(a.kernel.workgroupCount) !== JSON.stringify(b.kernel.workgroupCount)) return false;
  for (let i = 0; i < a.wasm.length; i++) if (a.wasm[i] !== b.wasm[i]) return false;
  return true;
}

/** Drops the least promising values (the last ones) of the longest knob until the product fits. */
export function capSpace(knobs: TuningKnob[], max = MAX_COMBINATIONS): TuningKnob[] {
  const out = knobs.map((k) => ({ name: k.name, values: [...k.values] }));
  const product = (): number => out.reduce((p, k) => p * k.values.length, 1);
  while (product() > max) {
    let longest = out[0]!;
    for (const k of out) if (k.values.length >= longest.values.length) longest = k;
    if (longest.values.length <= 1) break;
    longest.values.pop();
  }
  return out.filter((k) => k.values.length > 1);
}

/** The region's CPU tuning space; knobs with no value besides the default are left out. */
export function cpuTuningSpace(region: DispatchRegion): TuningSpace {
  const base = lower(region, {});
  // A region that does not lower has nothing to tune (its compilation reports why).
  if (!base) return { strategy: 'generic', knobs: [] };
  const knobs: TuningKnob[] = [];
  for (const p of proposals(base.strategy, region, base.kernel)) {
    const values: KnobValue[] = [p.default];
    const seen: Lowered[] = [base];
    for (const v of p.candidates) {
      const got = lower(region, { [p.name]: v } as KernelTuning);
      if (!got || got.strategy !== base.strategy || seen.some((k) => sameKernel(k, got))) continue;
      seen.push(got);
      values.push(v);
    }
    knobs.push({ name: p.name, values });
  }
  return { strategy: base.strategy, knobs: capSpace(knobs) };
}
