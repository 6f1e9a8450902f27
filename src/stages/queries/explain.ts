// What a build did and why: per stage how many results executed, were verified or reused (from
// the engine's events), and for every dispatch whose executable was compiled, its region and
// the input change that made it new.
import { basename } from 'node:path';
import type { Store } from '../../cache/store.js';
import { summarizeEvents, type QueryEvent } from '../../graph/events.js';
import type { Target } from '../compile-pipeline.js';
import { executableKey } from './executable.js';
import { STAGES, type CompilerQueries } from './index.js';
import { dispatchesPerRegion, type PartitionPlan } from './partition.js';
import { regionLabel } from './region-label.js';
import type { TuningSpec } from './tuning.js';

export interface StageExplain {
  stage: string;
  executed: number;
  verified: number;
  reused: number;
  /** Wall time of the executed results (nested work included). */
  ms: number;
}

export interface RecompiledRegion {
  /** regionKey() of the region (16 hex digits). */
  regionKey: string;
  summary: string;
  /** A short name after its heaviest op, e.g. "conv 3x3, 96→96" (regionLabel). */
  label: string;
  target: Target;
  /** How many dispatches of the model run this region. */
  dispatches: number;
  /** The input change that made it new, e.g. "model.onnx changed: new region". */
  cause: string;
  ms: number;
}

export interface Explain {
  path: string;
  targets: Target[];
  stages: StageExplain[];
  /** Dispatches of the module (per target, nested control flow included): N. */
  dispatches: number;
  /** Dispatches whose executable was compiled in this build: K. */
  recompiledDispatches: number;
  /** Executables compiled (distinct regions × targets); identical regions share one. */
  executablesCompiled: number;
  recompiled: RecompiledRegion[];
  /** `K of N dispatches recompiled`. */
  summary: string;
  /** Model files that changed while they were being compiled: nothing derived from them was cached. */
  staleInputs: string[];
  ms: number;
}

/** What the store knew about this model before the build: the basis for naming causes. */
export interface PreviousBuild {
  /** The file fingerprint the last import read; undefined: never imported. */
  modelFingerprint: string | undefined;
  /** Fingerprint of the last partition plan, to load its region keys if needed. */
  partitionFingerprint: string | undefined;
  /** Per target: the tuning fingerprint the last linked module read; absent: never linked. */
  tuningFingerprints: Map<Target, string>;
  /** Some of those results were made by another version of the compiler (its salt differs). */
  compilerChanged: boolean;
}

export function previousBuild(store: Store, q: CompilerQueries, path: string, targets: readonly Target[]): PreviousBuild {
  let compilerChanged = false;
  const memo = (query: { name: string; version: string }, key: unknown) => {
    const found = store.readMemo(query.name, store.fingerprintValue(key));
    if (!found.found) return undefined;
    if (found.value.version !== query.version) compilerChanged = true;
    return found.value;
  };
  const imported = memo(q.importModel, path);
  const tuningFingerprints = new Map<Target, string>();
  const linked = memo(q.module, { path, targets: [...targets] });
  for (const t of targets) {
    const dep = linked?.deps.find((d) => d.input && d.query === 'tuningSpec' && d.keyHash === store.fingerprintValue(t));
    if (dep) tuningFingerprints.set(t, dep.fingerprint);
  }
  return {
    modelFingerprint: imported?.deps.find((d) => d.input && d.query === 'modelFile')?.fingerprint,
    partitionFingerprint: memo(q.partition, path)?.valueFingerprint,
    tuningFingerprints,
    compilerChanged,
  };
}

export interface ExplainInput {
  store: Store;
  path: string;
  targets: Target[];
  tuning: TuningSpec;
  plan: PartitionPlan;
  /** The plan's value fingerprint, if known: the next build can then name causes without loading it. */
  planFingerprint?: string | undefined;
  events: readonly QueryEvent[];
  before: PreviousBuild;
  staleInputs: string[];
  ms: number;
}

export function explainBuild(x: ExplainInput): Explain {
  const summary = summarizeEvents(x.events);
  const stages = STAGES.map((stage): StageExplain => {
    const c = summary.queries.find((s) => s.query === stage);
    return { stage, executed: c?.executed ?? 0, verified: c?.verified ?? 0, reused: c?.reused ?? 0, ms: c?.executedMs ?? 0 };
  });
  const executed = new Map<string, number>();
  for (const e of x.events) if (e.query === 'executable' && e.outcome === 'executed') executed.set(e.keyHash, e.ms);

  const uses = dispatchesPerRegion(x.plan);
  const name = basename(x.path);
  let oldKeys: Set<string> | undefined;
  const causeOf = (regionKey: string, target: Target): string => {
    if (x.before.modelFingerprint === undefined) return `first build of ${name}`;
    if (x.before.partitionFingerprint !== undefined) {
      oldKeys ??= recentRegionKeys.get(x.before.partitionFingerprint) ?? regionKeysOf(x.store, x.before.partitionFingerprint);
      if (oldKeys && !oldKeys.has(regionKey)) return `${name} changed: new region`;
    }
    if (x.before.compilerChanged) return 'the compiler changed';
    const tuned = x.before.tuningFingerprints.get(target);
    if (tuned === undefined) return `first build for target ${target}`;
    if (tuned !== x.store.fingerprintValue(x.tuning)) return `tuning for ${target} changed`;
    return 'not in the cache (collected or damaged)';
  };

  const recompiled: RecompiledRegion[] = [];
  for (const target of x.targets) {
    x.plan.regions.forEach((r, i) => {
      const ms = executed.get(x.store.fingerprintValue(executableKey(r, target, x.tuning)));
      if (ms === undefined) return;
      recompiled.push({ regionKey: r.key, summary: r.summary, label: regionLabel(r.body), target, dispatches: uses[i]!, cause: causeOf(r.key, target), ms });
    });
  }
  if (x.planFingerprint !== undefined) rememberRegionKeys(x.planFingerprint, x.plan);
  const dispatches = x.plan.dispatches * x.targets.length;
  const recompiledDispatches = recompiled.reduce((n, r) => n + r.dispatches, 0);
  return {
    path: x.path,
    targets: x.targets,
    stages,
    dispatches,
    recompiledDispatches,
    executablesCompiled: recompiled.length,
    recompiled,
    summary: `${recompiledDispatches} of ${dispatches} dispatches recompiled`,
    staleInputs: x.staleInputs,
    ms: x.ms,
  };
}

/**
 * Region keys of the plans this process's last builds made, by plan fingerprint: the next build
 * names its causes without loading and decoding the old plan from the store.
 */
const recentRegionKeys = new Map<string, Set<string>>();
const RECENT_PLANS = 8;

function rememberRegionKeys(fingerprint: string, plan: PartitionPlan): void {
  recentRegionKeys.delete(fingerprint);
  recentRegionKeys.set(fingerprint, new Set(plan.regions.map((r) => r.key)));
  for (const k of recentRegionKeys.keys()) {
    if (recentRegionKeys.size <= RECENT_PLANS) break;
    recentRegionKeys.delete(k);
  }
}

function regionKeysOf(store: Store, partitionFingerprint: string): Set<string> | undefined {
  const found = store.readValue(partitionFingerprint);
  if (!found.found) return undefined;
  return new Set((found.value as PartitionPlan).regions.map((r) => r.key));
}

/** The per-stage table, one line per recompiled region, and the `K of N` line. */
export function formatExplain(e: Explain): string {
  const rows = [['stage', 'executed', 'verified', 'reused', 'ms']];
  for (const s of e.stages) rows.push([s.stage, `${s.executed}`, `${s.verified}`, `${s.reused}`, s.ms.toFixed(1)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  if (e.recompiled.length > 0) lines.push('');
  for (const r of e.recompiled) {
    const times = r.dispatches > 1 ? ` ×${r.dispatches}` : '';
    lines.push(`recompiled ${r.regionKey}${times}  ${r.summary}  [${r.target}] ${r.ms.toFixed(1)} ms — ${r.cause}`);
  }
  lines.push('', `${e.summary} (${e.executablesCompiled} executables compiled) in ${e.ms.toFixed(0)} ms`);
  for (const p of e.staleInputs) lines.push(`warning: ${p} changed during the build; nothing derived from it was cached`);
  return lines.join('\n');
}
