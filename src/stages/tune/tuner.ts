// `ireets tune`: per region, try the candidates of its tuning space, each compiled through the
// build graph (only that region's executable is rebuilt, the module relinked) and timed as one
// dispatch replayed with the buffers a real run gives it; keep a candidate only when a
// confirmation that alternates it with the default beats the default beyond the noise.
// Measured trials live in the build cache (side records), so a second run resumes.
import { concatMap, defer, from, lastValueFrom, mergeMap, Subject, takeWhile, tap } from 'rxjs';
import type { KernelTuning } from '../../codegen/kernel-tuning.js';
import type { HalDevice } from '../../hal/types.js';
import { benchmarkSession, median, randomInputs } from '../../runtime/benchmark.js';
import { DispatchBench, type DispatchTimingStats } from '../../runtime/dispatch-bench.js';
import { Session } from '../../runtime/session.js';
import type { RuntimeTensor } from '../../runtime/tensor.js';
import type { TensorSignature } from '../../vm/module.js';
import { IreetsError } from '../../util/errors.js';
import type { Target } from '../compile-pipeline.js';
import type { Compiler, RegionInfo } from '../compiler.js';
import { withRegionTuning, type TuningSpec } from '../queries/tuning.js';
import { enumerateCandidates, formatTuning, regionTuningSpace } from './candidates.js';
import { TrialRecords, type TrialRecord } from './trial-records.js';

export interface TuneOptions {
  /** The model file. */
  path: string;
  target: Target;
  device: HalDevice;
  compiler: Compiler;
  /** Tuning to start from (e.g. the spec a previous run wrote); the result extends it. */
  base?: TuningSpec;
  /** Tune only this dispatch: its position in a run, or a region key. */
  dispatch?: string;
  /** Otherwise the N regions with the most time per run (default 5). */
  top?: number;
  /** Wall-clock budget for choosing regions and running trials (the final whole-model check comes after). */
  budgetMs: number;
  /** Timed batches per measurement (default 7). */
  runs?: number;
  /**
   * Candidates compiled ahead while one is measured (default 1). Compiles run on this thread:
   * on a CPU device they take a core from the kernel being timed, and on a GPU they delay the
   * host's submit and completion callbacks, so more than 1 trades accuracy for trials per minute.
   */
  jobs?: number;
  /** Most candidates per region (default 64). */
  maxCandidates?: number;
  /** Time the whole model with and without the new tuning at the end (default true). */
  verifyModel?: boolean;
  signal?: AbortSignal;
}

export interface TrialResult {
  regionKey: string;
  tuning: KernelTuning;
  median_ms: number;
  /** median over the default's median measured in the same run (resumed: in the run that measured it). */
  ratio: number;
  /** Taken from the cache: measured by an earlier run. */
  resumed: boolean;
  /** The candidate's code equals the default's: nothing to measure. */
  sameCode: boolean;
  /** From the build: executables compiled and whether the module was relinked (fresh trials only). */
  executablesCompiled: number;
  relinked: boolean;
  compile_ms: number;
}

export interface RegionResult {
  regionKey: string;
  label: string;
  strategy: string;
  /** Dispatches of one run that use the region, and the position of the one timed. */
  dispatches: number;
  ordinal: number;
  candidates: number;
  trials: number;
  resumed: number;
  baseline_ms: number;
  /** The default re-measured at the end (confirmation), and the relative change: drift. */
  baselineAfter_ms: number;
  drift: number;
  /** Relative spread (interquartile range / median) of the default's samples. */
  noise: number;
  /** Winner over default in each alternating confirmation round. */
  rounds?: number[];
  best?: { tuning: KernelTuning; median_ms: number; ratio: number; confirmedRatio: number };
  kept: boolean;
  reason: string;
}

export interface TuneReport {
  path: string;
  target: Target;
  device: string;
  spec: TuningSpec;
  regions: RegionResult[];
  trials: number;
  resumed: number;
  elapsed_ms: number;
  /** Fresh trials (compiled and measured) per minute of trial time. */
  trialsPerMinute: number;
  model?: { default_ms: number; tuned_ms: number; ratio: number };
}

export type TuneEvent =
  | { kind: 'ranking'; regions: number }
  | { kind: 'region'; index: number; of: number; regionKey: string; label: string; strategy: string; candidates: number; baseline_ms: number }
  | { kind: 'trial'; index: number; of: number; trial: TrialResult; best_ratio: number; msLeft: number }
  | { kind: 'region-done'; result: RegionResult }
  | { kind: 'model'; default_ms: number; tuned_ms: number };

/** A region picked for tuning, with the dispatch that times it. */
interface Pick {
  region: RegionInfo;
  ordinal: number;
}

const MIN_GAIN = 0.02;
const CONFIRM_ROUNDS = 3;
/** Drift of the default's timing between the start and the confirmation worth a mention. */
const DRIFT_WARNING = 0.1;
/** Trials between two timings of the default. */
const REFERENCE_EVERY = 4;

export class Tuner {
  readonly events = new Subject<TuneEvent>();
  private readonly records: TrialRecords;
  /** The model's inputs, made from its signature by the first capture; every run uses the same. */
  private inputs: RuntimeTensor[] | undefined;
  private readonly inputsFor = (signatures: readonly TensorSignature[]): RuntimeTensor[] => (this.inputs ??= randomInputs(signatures));
  private freshTrials = 0;
  private trialMs = 0;

  constructor(private readonly o: TuneOptions) {
    this.records = new TrialRecords(o.compiler.records, o.device, o.target);
  }

  async run(): Promise<TuneReport> {
    const o = this.o;
    const t0 = performance.now();
    const deadline = t0 + o.budgetMs;
    let spec: TuningSpec = o.base ?? {};
    const baseModule = await this.compile(spec);
    const regions = await o.compiler.regions(o.path, { target: o.target, tuning: spec });
    const picks = await this.pick(baseModule.module, regions);
    const results: RegionResult[] = [];
    for (const [i, p] of picks.entries()) {
      this.checkAbort();
      const left = deadline - performance.now();
      if (left <= 0 && results.length > 0) break;
      const regionDeadline = performance.now() + Math.max(left, 0) / (picks.length - i);
      const result = await this.tuneRegion(p, spec, i, picks.length, regionDeadline);
      results.push(result);
      if (result.kept && result.best) spec = withRegionTuning(spec, o.target, p.region.regionKey, result.best.tuning);
      this.events.next({ kind: 'region-done', result });
    }
    const elapsed = performance.now() - t0;
    const report: TuneReport = {
      path: o.path,
      target: o.target,
      device: `${o.device.driver} (${o.device.description})`,
      spec: withAbout(spec, o, results),
      regions: results,
      trials: results.reduce((n, r) => n + r.trials, 0),
      resumed: results.reduce((n, r) => n + r.resumed, 0),
      elapsed_ms: elapsed,
      trialsPerMinute: this.trialMs > 0 ? (this.freshTrials * 60_000) / this.trialMs : 0,
    };
    if (o.verifyModel !== false && results.some((r) => r.kept)) report.model = await this.compareModels(baseModule.module, spec);
    this.events.complete();
    return report;
  }

  private checkAbort(): void {
    if (this.o.signal?.aborted) throw new IreetsError('QUERY_CANCELLED', 'tuning was interrupted', this.o.path);
  }

  private async compile(tuning: TuningSpec) {
    return this.o.compiler.compile(this.o.path, { target: this.o.target, tuning, ...(this.o.signal ? { signal: this.o.signal } : {}) });
  }

  /** The regions to tune: the one asked for, or the `top` with the most time per run. */
  private async pick(module: Uint8Array, regions: readonly RegionInfo[]): Promise<Pick[]> {
    const o = this.o;
    const bench = await this.capture(module);
    try {
      const firstOrdinal = (r: RegionInfo): number => bench.dispatches.find((d) => d.executableHash === r.executables[o.target])?.ordinal ?? -1;
      if (o.dispatch !== undefined) {
        if (/^\d+$/.test(o.dispatch)) {
          const d = bench.dispatch(Number(o.dispatch));
          const region = regions.find((r) => r.executables[o.target] === d.executableHash);
          if (!region) throw new IreetsError('INTERNAL', `dispatch ${o.dispatch} runs no known region`, `--dispatch ${o.dispatch}`);
          return [{ region, ordinal: d.ordinal }];
        }
        const region = regions.find((r) => r.regionKey === o.dispatch);
        if (!region) throw new IreetsError('INPUT_INVALID', `the model has no region ${o.dispatch} (ireets compile --explain lists region keys)`, `--dispatch ${o.dispatch}`);
        return [{ region, ordinal: firstOrdinal(region) }];
      }
      const tunable = regions.filter((r) => firstOrdinal(r) >= 0 && enumerateCandidates(regionTuningSpace(r.body, o.target), 1).length > 0);
      this.events.next({ kind: 'ranking', regions: tunable.length });
      const weighted: { p: Pick; ms: number }[] = [];
      for (const region of tunable) {
        this.checkAbort();
        const ordinal = firstOrdinal(region);
        const t = await bench.time(ordinal, { warmup: 1, runs: 3, targetBatchMs: 5 });
        weighted.push({ p: { region, ordinal }, ms: t.median_ms * region.dispatches });
      }
      weighted.sort((a, b) => b.ms - a.ms);
      return weighted.slice(0, o.top ?? 5).map((w) => w.p);
    } finally {
      bench.close();
    }
  }

  private capture(module: Uint8Array): Promise<DispatchBench> {
    return DispatchBench.capture(module, this.o.device, this.inputsFor, this.o.path);
  }

  /** Times dispatch `ordinal` of a captured module, `repeat` per batch (0: calibrate). */
  private time(bench: DispatchBench, ordinal: number, repeat: number): Promise<DispatchTimingStats> {
    return bench.time(ordinal, { warmup: 2, runs: this.o.runs ?? 7, repeat });
  }

  /** Times dispatch `ordinal` of a module captured for this one measurement, with its executable's hash. */
  private async measure(module: Uint8Array, ordinal: number, repeat: number): Promise<{ stats: DispatchTimingStats; hash: string }> {
    const bench = await this.capture(module);
    try {
      return { stats: await this.time(bench, ordinal, repeat), hash: bench.dispatch(ordinal).executableHash };
    } finally {
      bench.close();
    }
  }

  private async tuneRegion(p: Pick, spec: TuningSpec, index: number, of: number, deadline: number): Promise<RegionResult> {
    const o = this.o;
    const key = p.region.regionKey;
    const space = regionTuningSpace(p.region.body, o.target);
    const candidates = enumerateCandidates(space, o.maxCandidates ?? 64);
    const defaultHash = p.region.executables[o.target]!;
    const base = await this.compile(spec);
    // The default's module stays loaded for the whole region: its baseline, its re-timings
    // between trials and the confirmation rounds all replay the same capture.
    const baseBench = await this.capture(base.module);
    try {
      // The batch size is fixed from the default, so every candidate is timed the same way.
      const baseline = await this.time(baseBench, p.ordinal, 0);
      const repeat = baseline.repeat;
      const noise = baseline.spread;
      this.events.next({ kind: 'region', index, of, regionKey: key, label: p.region.label, strategy: space.strategy, candidates: candidates.length, baseline_ms: baseline.median_ms });

      const trials: TrialResult[] = [];
      let best: TrialResult | undefined;
      // The default is timed again every few trials and each trial compared with the latest
      // timing: on a shared machine the load drifts, and a ratio to a stale baseline would follow it.
      let reference = baseline.median_ms;
      let sinceReference = 0;
      const jobs = Math.max(1, o.jobs ?? 1);
      const timeLeft = (): number => deadline - performance.now();
      // Compile ahead (bounded by `jobs`), measure one at a time: timings must not overlap.
      const pipeline = from(candidates).pipe(
        takeWhile(() => timeLeft() > 0 && !o.signal?.aborted),
        mergeMap((tuning) => defer(async () => {
          const cached = this.records.get(key, defaultHash, tuning);
          if (cached) return { tuning, cached };
          const t = performance.now();
          const built = await this.compile(withRegionTuning(spec, o.target, key, tuning));
          return { tuning, built, compile_ms: performance.now() - t };
        }), jobs),
        concatMap((c) => defer(async (): Promise<TrialResult> => {
          if (c.cached) return this.resumedTrial(key, c.tuning, c.cached);
          const t = performance.now();
          const built = c.built!;
          const compiledNow = built.explain.executablesCompiled;
          const relinked = built.explain.stages.find((s) => s.stage === 'module')!.executed > 0;
          if (sinceReference >= REFERENCE_EVERY) {
            reference = (await this.time(baseBench, p.ordinal, repeat)).median_ms;
            sinceReference = 0;
          }
          const m = await this.measure(built.module, p.ordinal, repeat);
          sinceReference++;
          const sameCode = m.hash === defaultHash;
          const median_ms = sameCode ? reference : m.stats.median_ms;
          const trial: TrialResult = { regionKey: key, tuning: c.tuning, median_ms, ratio: median_ms / reference, resumed: false, sameCode, executablesCompiled: compiledNow, relinked, compile_ms: c.compile_ms! };
          await this.records.put(key, defaultHash, c.tuning, { median_ms, baseline_ms: reference, ratio: trial.ratio, repeat, sameCode, at: Date.now() });
          this.freshTrials++;
          this.trialMs += performance.now() - t + c.compile_ms!;
          return trial;
        })),
        tap((trial) => {
          trials.push(trial);
          if (!trial.sameCode && (!best || trial.ratio < best.ratio)) best = trial;
          this.events.next({ kind: 'trial', index: trials.length, of: candidates.length, trial, best_ratio: best?.ratio ?? 1, msLeft: Math.max(0, timeLeft()) });
        }),
      );
      await lastValueFrom(pipeline, { defaultValue: undefined });
      this.checkAbort();

      const result: RegionResult = {
        regionKey: key, label: p.region.label, strategy: space.strategy, dispatches: p.region.dispatches, ordinal: p.ordinal,
        candidates: candidates.length, trials: trials.filter((t) => !t.resumed).length, resumed: trials.filter((t) => t.resumed).length,
        baseline_ms: baseline.median_ms, baselineAfter_ms: baseline.median_ms, drift: 0, noise, kept: false, reason: '',
      };
      const winner = best as TrialResult | undefined;
      if (!winner || winner.ratio >= 1 - MIN_GAIN) {
        result.reason = winner ? `no candidate beat the default by ${MIN_GAIN * 100}% (best ${formatTuning(winner.tuning)} at ${pct(winner.ratio)})` : 'no candidate measured';
        return result;
      }
      // Confirm: the default and the winner, alternating, so drift hits both alike. Every round
      // must show the gain, and their median must beat the default by more than its own noise.
      const tuned = await this.compile(withRegionTuning(spec, o.target, key, winner.tuning));
      const a: number[] = [];
      const b: number[] = [];
      const tunedBench = await this.capture(tuned.module);
      try {
        for (let r = 0; r < CONFIRM_ROUNDS; r++) {
          a.push((await this.time(baseBench, p.ordinal, repeat)).median_ms);
          b.push((await this.time(tunedBench, p.ordinal, repeat)).median_ms);
        }
      } finally {
        tunedBench.close();
      }
      const rounds = b.map((x, i) => x / a[i]!);
      const after = median(a);
      const confirmedRatio = median(rounds);
      result.baselineAfter_ms = after;
      result.drift = Math.abs(after - baseline.median_ms) / baseline.median_ms;
      result.rounds = rounds;
      result.best = { tuning: winner.tuning, median_ms: median(b), ratio: winner.ratio, confirmedRatio };
      const margin = Math.max(MIN_GAIN, noise);
      const everyRound = Math.max(...rounds) < 1 - MIN_GAIN;
      result.kept = everyRound && confirmedRatio < 1 - margin;
      const drifted = result.drift > DRIFT_WARNING ? `; the default drifted ${pct(result.drift)} during the trials` : '';
      result.reason = result.kept
        ? `${formatTuning(winner.tuning)}: ${pct(confirmedRatio)} of the default (margin ${pct(margin)})${drifted}`
        : `${formatTuning(winner.tuning)} did not hold up: ${rounds.map(pct).join(', ')} of the default in the confirmation rounds (margin ${pct(margin)})${drifted}`;
      return result;
    } finally {
      baseBench.close();
    }
  }

  private resumedTrial(regionKey: string, tuning: KernelTuning, r: TrialRecord): TrialResult {
    return { regionKey, tuning, median_ms: r.median_ms, ratio: r.ratio, resumed: true, sameCode: r.sameCode, executablesCompiled: 0, relinked: false, compile_ms: 0 };
  }

  /** Whole-model latency with the base tuning and the tuned spec, alternating rounds. */
  private async compareModels(baseModule: Uint8Array, spec: TuningSpec): Promise<{ default_ms: number; tuned_ms: number; ratio: number }> {
    const tuned = await this.compile(spec);
    const sessions = [await Session.load(baseModule, this.o.device, this.o.path), await Session.load(tuned.module, this.o.device, this.o.path)] as const;
    try {
      const a: number[] = [];
      const b: number[] = [];
      const inputs = this.inputsFor(sessions[0].inputs);
      for (let r = 0; r < 3; r++) {
        a.push((await benchmarkSession(sessions[0], inputs, { warmup: 3, runs: 10 })).median_ms);
        b.push((await benchmarkSession(sessions[1], inputs, { warmup: 3, runs: 10 })).median_ms);
      }
      const out = { default_ms: median(a), tuned_ms: median(b), ratio: median(b) / median(a) };
      this.events.next({ kind: 'model', default_ms: out.default_ms, tuned_ms: out.tuned_ms });
      return out;
    } finally {
      sessions[0].close();
      sessions[1].close();
    }
  }
}

const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

/** The spec with the run's provenance under `about` (never read by the compiler). */
function withAbout(spec: TuningSpec, o: TuneOptions, results: readonly RegionResult[]): TuningSpec {
  const previous = (spec.about && typeof spec.about === 'object' ? (spec.about as { regions?: Record<string, unknown> }).regions : undefined) ?? {};
  const regions: Record<string, unknown> = { ...previous };
  for (const r of results) {
    if (r.kept && r.best) regions[`${o.target}/${r.regionKey}`] = { label: r.label, default_ms: round(r.baselineAfter_ms), tuned_ms: round(r.best.median_ms) };
  }
  return { ...spec, about: { tool: 'ireets tune', device: `${o.device.driver} (${o.device.description})`, regions } };
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
