// Tuning: per-target settings that change how a region's kernel is generated, never what it
// computes. A spec holds a default and overrides by region key; each executable is keyed by the
// tuning that applies to its region only, so retuning one kernel recompiles that kernel alone.
import type { Kernel, Stmt } from '../../codegen/kernel-ir.js';
import { IreetsError } from '../../util/errors.js';

export interface RegionTuning {
  /** false: run every loop scalar, ignoring the lowering's SIMD hints (default: follow them). */
  vectorize?: boolean;
}

export interface TuningSpec {
  default?: RegionTuning;
  /** Overrides by region key (16 hex digits, as `ireets compile --explain` lists them). */
  regions?: Record<string, RegionTuning>;
}

const KNOWN: ReadonlySet<string> = new Set(['vectorize']);

/** Throws INPUT_INVALID for settings nobody reads (a typo would otherwise tune nothing, silently). */
export function checkTuningSpec(spec: TuningSpec, culprit = 'tuning spec'): void {
  const check = (t: RegionTuning | undefined, where: string): void => {
    for (const [k, v] of Object.entries(t ?? {})) {
      if (!KNOWN.has(k)) throw new IreetsError('INPUT_INVALID', `unknown tuning setting ${k} in ${where} (known: ${[...KNOWN].join(', ')})`, culprit);
      if (typeof v !== 'boolean') throw new IreetsError('INPUT_INVALID', `tuning setting ${k} in ${where} must be true or false`, culprit);
    }
  };
  for (const k of Object.keys(spec)) {
    if (k !== 'default' && k !== 'regions') throw new IreetsError('INPUT_INVALID', `unknown tuning field ${k} (known: default, regions)`, culprit);
  }
  check(spec.default, 'default');
  for (const [key, t] of Object.entries(spec.regions ?? {})) check(t, `region ${key}`);
}

/** The settings for one region, with defaults left out (so "no tuning" is always `{}`). */
export function tuningForRegion(spec: TuningSpec, regionKey: string): RegionTuning {
  const merged: RegionTuning = { ...spec.default, ...spec.regions?.[regionKey] };
  const out: RegionTuning = {};
  if (merged.vectorize === false) out.vectorize = false;
  return out;
}

/** Applies a region's tuning to its lowered kernel. */
export function applyTuning(kernel: Kernel, tuning: RegionTuning): Kernel {
  if (tuning.vectorize !== false) return kernel;
  const scalar = (s: Stmt): Stmt => {
    if (s.k === 'for') {
      const { vectorize: _hint, ...rest } = s;
      return { ...rest, body: s.body.map(scalar) };
    }
    if (s.k === 'if') return { ...s, then: s.then.map(scalar), ...(s.else ? { else: s.else.map(scalar) } : {}) };
    return s;
  };
  return { ...kernel, body: kernel.body.map(scalar) };
}
