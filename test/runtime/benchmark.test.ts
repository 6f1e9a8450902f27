// Benchmark helpers: statistics, deterministic inputs, and the per-dispatch profile through the
// CPU device's command timer (every dispatch reported once per run, mapped back to the module's
// executables, the timer removed afterwards).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { CpuDevice } from '../../src/hal/cpu/cpu-device.js';
import type { TimedCommand } from '../../src/hal/cpu/command-timer.js';
import { latencyStats, median, profileDispatches, randomInputs, timeCalls } from '../../src/runtime/benchmark.js';
import { Session } from '../../src/runtime/session.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';

describe('benchmark statistics', () => {
  it('takes the median, min and max of the samples', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(latencyStats([2, 9, 4])).toEqual({ median_ms: 4, min_ms: 2, max_ms: 9, runs: 3 });
  });

  it('runs warm-up calls untimed, then the timed ones', async () => {
    let calls = 0;
    const stats = await timeCalls(async () => { calls++; }, { warmup: 2, runs: 5 });
    expect(calls).toBe(7);
    expect(stats.runs).toBe(5);
    expect(stats.min_ms).toBeLessThanOrEqual(stats.median_ms);
  });

  it('makes the same inputs every time, in range for index-like inputs', () => {
    const sig = [{ name: 'x', dtype: 'f32', shape: [2, 3] }, { name: 'ids', dtype: 'i64', shape: ['batch', 4] }];
    const a = randomInputs(sig);
    expect(randomInputs(sig)).toEqual(a);
    expect(a[1]!.shape).toEqual([1, 4]);
    expect(Array.from(a[1]!.data as BigInt64Array).every((v) => v >= 0n && v < 10n)).toBe(true);
    expect(Array.from(a[0]!.data as Float32Array).every((v) => v >= -1 && v < 1)).toBe(true);
  });
});

describe('dispatch profile', () => {
  it('times every dispatch of a run and names its executable', async () => {
    const path = await ensureFixture('tiny_cnn');
    const { module, dispatches } = await compileOnnx(readFileSync(path), { path });
    const device = await CpuDevice.create({ threads: 1 });
    try {
      const session = await Session.load(module, device, path);
      const seen: TimedCommand[] = [];
      const profile = await profileDispatches(session, randomInputs(session.inputs), { warmup: 1, runs: 3 });
      expect(device.commandTimer).toBeUndefined();
      expect(profile.dispatches).toHaveLength(dispatches.length);
      expect(new Set(profile.dispatches.map((d) => d.ordinal)).size).toBe(dispatches.length);
      for (const d of profile.dispatches) {
        expect(d.executable).toBe(dispatches[d.ordinal]!.executable);
        expect(d.min_ms).toBeLessThanOrEqual(d.median_ms);
      }
      const ms = profile.dispatches.map((d) => d.median_ms);
      expect(ms).toEqual([...ms].sort((x, y) => y - x));
      expect(profile.dispatch_ms).toBeLessThanOrEqual(profile.total_ms);
      // The hook itself: one report per executed command while set.
      device.commandTimer = (t) => seen.push(t);
      await session.run(randomInputs(session.inputs));
      device.commandTimer = undefined;
      expect(seen.filter((t) => t.command.kind === 'dispatch')).toHaveLength(dispatches.length);
      expect(seen.every((t) => t.ms >= 0)).toBe(true);
    } finally {
      await device.destroy();
    }
  }, 60_000);
});
