// Tuning: per-target settings that change how a region's kernel is generated, never what it
// computes (the knobs are defined in src/codegen/kernel-tuning.ts). A spec holds defaults and
// overrides by region key, for every target or for one; each executable is keyed by the knobs
// that apply to its region on its target only, so retuning one kernel recompiles that kernel
// alone and a GPU knob never touches a CPU executable.
import { knobsFor, knobValueError, type KernelTuning } from '../../codegen/kernel-tuning.js';
import { IreetsError } from '../../util/errors.js';
import type { Target } from '../compile-pipeline.js';

export type RegionTuning = KernelTuning;

export interface TargetTuning {
  default?: RegionTuning;
  /** Overrides by region key (16 hex digits, as `ireets compile --explain` lists them). */
  regions?: Record<string, RegionTuning>;
}

export interface TuningSpec extends TargetTuning {
  /** Per target (`cpu`, `webgpu`, `vulkan-spirv`): applied over the target-independent part. */
  targets?: Partial<Record<Target, TargetTuning>>;
  /** Free-form provenance (`ireets tune` records the device and its measurements); never read. */
  about?: unknown;
}

const TARGET_NAMES: readonly string[] = ['cpu', 'webgpu', 'vulkan-spirv'];

function invalid(message: string, culprit: string): never {
  throw new IreetsError('INPUT_INVALID', message, culprit);
}

/** `where` is the path of `t` in the spec ('' for the spec itself). */
function checkTargetTuning(t: unknown, where: string, culprit: string, allowed: readonly string[]): void {
  const at = (field: string): string => (where ? `${where}.${field}` : field);
  if (typeof t !== 'object' || t === null || Array.isArray(t)) invalid(`${where || 'the spec'} must be an object`, culprit);
  for (const k of Object.keys(t)) {
    if (!allowed.includes(k)) invalid(`unknown tuning field ${k}${where ? ` in ${where}` : ''} (known: ${allowed.join(', ')})`, culprit);
  }
  const rec = t as Record<string, unknown>;
  if (rec['default'] !== undefined) checkRegionTuning(rec['default'], at('default'), culprit);
  const regions = rec['regions'];
  if (regions !== undefined) {
    if (typeof regions !== 'object' || regions === null || Array.isArray(regions)) invalid(`${at('regions')} must be an object`, culprit);
    for (const [key, r] of Object.entries(regions)) {
      if (!/^[0-9a-f]{16}$/.test(key)) invalid(`region key ${key} in ${at('regions')} is not 16 hex digits (see ireets compile --explain)`, culprit);
      checkRegionTuning(r, `${at('regions')}.${key}`, culprit);
    }
  }
}

function checkRegionTuning(t: unknown, where: string, culprit: string): void {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) invalid(`${where} must be an object`, culprit);
  for (const [k, v] of Object.entries(t)) {
    const error = knobValueError(k, v);
    if (error) invalid(`${error.replace(/^(unknown tuning setting \S+|tuning setting \S+)/, `$1 in ${where}`)}`, culprit);
  }
}

/** Throws INPUT_INVALID for settings nobody reads (a typo would otherwise tune nothing, silently). */
export function checkTuningSpec(spec: TuningSpec, culprit = 'tuning spec'): void {
  checkTargetTuning(spec, '', culprit, ['default', 'regions', 'targets', 'about']);
  const targets = (spec as Record<string, unknown>)['targets'];
  if (targets === undefined) return;
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) invalid('targets must be an object', culprit);
  for (const [target, t] of Object.entries(targets)) {
    if (!TARGET_NAMES.includes(target)) invalid(`unknown target ${target} in targets (known: ${TARGET_NAMES.join(', ')})`, culprit);
    checkTargetTuning(t, `targets.${target}`, culprit, ['default', 'regions']);
  }
}

/** The spec as the compiler's input: provenance (`about`) changes nothing it makes, so it is left out. */
export function compilerTuning(spec: TuningSpec = {}): TuningSpec {
  const { about: _about, ...tuning } = spec;
  return tuning;
}

/** The knob family a target's kernels read. */
export const knobFamily = (target: Target): 'cpu' | 'gpu' => (target === 'cpu' ? 'cpu' : 'gpu');

/**
 * The settings for one region on one target, most specific last: spec default, target default,
 * spec region, target region. Knobs the target never reads and defaults that change nothing
 * are left out, so "no tuning" is always `{}` and keys stay canonical.
 */
export function tuningForRegion(spec: TuningSpec, regionKey: string, target: Target): RegionTuning {
  const forTarget = spec.targets?.[target];
  const merged: RegionTuning = { ...spec.default, ...forTarget?.default, ...spec.regions?.[regionKey], ...forTarget?.regions?.[regionKey] };
  if (merged.vectorize === true) delete merged.vectorize;
  return knobsFor(merged, knobFamily(target));
}

/** `spec` with `tuning` set as the override of one region on one target (a new object). */
export function withRegionTuning(spec: TuningSpec, target: Target, regionKey: string, tuning: RegionTuning): TuningSpec {
  const forTarget = spec.targets?.[target] ?? {};
  const regions = { ...forTarget.regions, [regionKey]: tuning };
  return { ...spec, targets: { ...spec.targets, [target]: { ...forTarget, regions } } };
}
