import { describe, expect, it } from 'vitest';
import { rerunArgs, v8PoolSizeFor, wantedV8PoolSize } from '../../cli/v8-pool.js';

describe('the V8 pool of a long-running compiler', () => {
  it('leaves the main thread a core, up to V8s own four threads', () => {
    expect([1, 2, 3, 4, 5, 64].map(v8PoolSizeFor)).toEqual([1, 1, 2, 3, 4, 4]);
  });

  it('asks for a pool only where it differs from Node’s default and nobody chose one', () => {
    expect(wantedV8PoolSize([], {}, 2)).toBe(1);
    expect(wantedV8PoolSize([], {}, 4)).toBe(3);
    expect(wantedV8PoolSize([], {}, 8)).toBeUndefined();
    expect(wantedV8PoolSize(['--import', 'tsx', '--v8-pool-size=2'], {}, 2)).toBeUndefined();
    expect(wantedV8PoolSize([], { NODE_OPTIONS: '--max-old-space-size=4096 --v8-pool-size=3' }, 2)).toBeUndefined();
    expect(wantedV8PoolSize([], { IREETS_V8_POOL_SIZE: '2' }, 16)).toBe(2);
    expect(wantedV8PoolSize([], { IREETS_V8_POOL_SIZE: '0' }, 2)).toBeUndefined();
    expect(wantedV8PoolSize([], { IREETS_V8_POOL_SIZE: 'many' }, 2)).toBeUndefined();
  });

  it('runs the same command line again, Node flags first', () => {
    expect(rerunArgs(['--import', 'tsx'], ['/usr/bin/node', 'cli/ireets.ts', 'watch', 'm.onnx', '--debounce', '25'], 1)).toEqual([
      '--import', 'tsx', '--v8-pool-size=1', 'cli/ireets.ts', 'watch', 'm.onnx', '--debounce', '25',
    ]);
  });
});
