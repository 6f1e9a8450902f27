// ModuleBuilder.uniqueName: the name itself if free, else the smallest free `<name>_<i>`.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '../../src/ir/builder.js';

describe('uniqueName', () => {
  it('numbers repeats from 1, skipping names taken in any other way', () => {
    const mb = new ModuleBuilder();
    expect(['add', 'add', 'add'].map((n) => mb.uniqueName(n))).toEqual(['add', 'add_1', 'add_2']);
    expect(mb.uniqueName('add_4')).toBe('add_4');
    expect(mb.uniqueName('add_3')).toBe('add_3');
    expect(['add', 'add'].map((n) => mb.uniqueName(n))).toEqual(['add_5', 'add_6']);
    expect(mb.uniqueName('add_5')).toBe('add_5_1');
    expect(mb.uniqueName('')).toBe('v');
    expect(mb.uniqueName('')).toBe('v_1');
    expect(mb.uniqueName('v')).toBe('v_2');
  });

  it('stays fast for thousands of repeats', () => {
    const mb = new ModuleBuilder();
    const t = performance.now();
    for (let i = 0; i < 20000; i++) mb.uniqueName('mul');
    expect(mb.uniqueName('mul')).toBe('mul_20000');
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
