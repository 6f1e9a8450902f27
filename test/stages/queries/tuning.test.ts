// Tuning specs: what is refused (naming where), how defaults and overrides merge, and that each
// target sees only the knobs its kernels read.
import { describe, expect, it } from 'vitest';
import { checkTuningSpec, tuningForRegion, withRegionTuning, type TuningSpec } from '../../../src/stages/queries/tuning.js';

const KEY = '0123456789abcdef';

describe('tuning spec', () => {
  it('refuses unknown settings, bad values, bad keys and unknown targets, naming where', () => {
    const refused = (spec: unknown): string => {
      try {
        checkTuningSpec(spec as TuningSpec, 'tuning.json');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ default: { vectorise: false } })).toMatch(/unknown tuning setting vectorise in default \(known: vectorize, /);
    expect(refused({ targets: { cpu: { regions: { [KEY]: { tileRows: 99 } } } } })).toMatch(/tileRows in targets\.cpu\.regions\.0123456789abcdef must be in 1\.\.8, got 99/);
    expect(refused({ default: { workgroupSize: 48 } })).toMatch(/workgroupSize in default must be a power of two/);
    expect(refused({ default: { vectorize: 1 } })).toMatch(/vectorize in default must be true or false/);
    expect(refused({ regions: { zz: {} } })).toMatch(/region key zz in regions is not 16 hex digits/);
    expect(refused({ targets: { gpu: {} } })).toMatch(/unknown target gpu in targets/);
    expect(refused({ foo: 1 })).toMatch(/unknown tuning field foo/);
    expect(refused({ about: { anything: [1, 2] }, targets: { webgpu: { default: { registerTile: 2 } } } })).toBe('accepted');
  });

  it('merges most specific last and keeps each target to its own knobs', () => {
    const spec: TuningSpec = {
      default: { workgroups: 24, workgroupSize: 128 },
      regions: { [KEY]: { tileRows: 3 } },
      targets: { cpu: { default: { workgroups: 96 }, regions: { [KEY]: { tileRows: 2 } } }, webgpu: { regions: { [KEY]: { registerTile: 1 } } } },
    };
    expect(tuningForRegion(spec, KEY, 'cpu')).toEqual({ tileRows: 2, workgroups: 96 });
    expect(tuningForRegion(spec, 'ffffffffffffffff', 'cpu')).toEqual({ workgroups: 96 });
    expect(tuningForRegion(spec, KEY, 'webgpu')).toEqual({ workgroupSize: 128, registerTile: 1 });
    expect(tuningForRegion(spec, KEY, 'vulkan-spirv')).toEqual({ workgroupSize: 128 });
    // The default of a knob is no tuning: the same executable key as none.
    expect(tuningForRegion({ default: { vectorize: true } }, KEY, 'cpu')).toEqual({});
  });

  it('sets one region of one target without touching the rest', () => {
    const base: TuningSpec = { default: { workgroups: 24 }, targets: { cpu: { regions: { ffffffffffffffff: { tileRows: 3 } } } } };
    const next = withRegionTuning(base, 'cpu', KEY, { unroll: 2 });
    expect(next.targets?.cpu?.regions).toEqual({ ffffffffffffffff: { tileRows: 3 }, [KEY]: { unroll: 2 } });
    expect(base.targets?.cpu?.regions).toEqual({ ffffffffffffffff: { tileRows: 3 } });
    expect(next.default).toEqual({ workgroups: 24 });
  });
});
