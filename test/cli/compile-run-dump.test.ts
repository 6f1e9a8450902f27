// The CLI as a user runs it: a real `ireets` process, exit codes and files.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { readNpy, writeNpy } from '../../src/util/npy.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'cli/ireets.ts'];

async function ireets(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [...CLI, ...args], { cwd: process.cwd(), env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('ireets compile / run / dump', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ireets-cli-'));
  const cacheEnv = { IREETS_CACHE_DIR: join(dir, 'cache') };

  it('compiles a model, runs the module with a .npy input, writes .npy outputs, and dumps it', async () => {
    const model = await ensureFixture('tiny_cnn');
    const vmfb = join(dir, 'tiny.vmfb');
    const c = await ireets(['compile', model, '--target', 'cpu', '-o', vmfb], cacheEnv);
    expect(c.stderr).not.toMatch(/error/i);
    expect(c.code).toBe(0);

    const x = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.sin(i));
    const npy = join(dir, 'x.npy');
    writeFileSync(npy, writeNpy({ dtype: 'f32', shape: [1, 3, 32, 32], bytes: new Uint8Array(x.buffer) }));
    const out = join(dir, 'out');
    const r = await ireets(['run', vmfb, '--device', 'cpu-sync', '--input', `input=@${npy}`, '--output-dir', out], cacheEnv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/f32\[1,10\]/);
    const files = readFileSync(join(out, 'output.npy'));
    expect(readNpy(files, 'output.npy').shape).toEqual([1, 10]);

    const fromOnnx = await ireets(['run', model, '--device', 'cpu', '--input', `input=@${npy}`], cacheEnv);
    expect(fromOnnx.code).toBe(0);
    expect(fromOnnx.stdout.split('\n')[0]).toBe(r.stdout.split('\n')[0]);

    const d = await ireets(['dump', vmfb]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/export main \[cpu\]\(input: f32\[1,3,32,32\]\) -> \(output: f32\[1,10\]\)/);
    expect(d.stdout).toMatch(/wasm-simd128/);
    expect(d.stdout).toContain('hal.command_buffer.dispatch');
  }, 120_000);

  it('keeps the weights in a parameter archive with --weights external; run and dump find it, and say so when it is missing', async () => {
    const model = await ensureFixture('tiny_cnn');
    const vmfb = join(dir, 'ext.vmfb');
    const c = await ireets(['compile', model, '-o', vmfb, '--weights', 'external'], cacheEnv);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^wrote .*ext\.vmfb: \d+ bytes, .*; weights in .*ext\.params: \d+ bytes\n$/);
    const again = await ireets(['compile', model, '-o', vmfb, '--weights', 'external'], cacheEnv);
    expect(again.stdout).toMatch(/^kept .*ext\.vmfb: .*ext\.params: \d+ bytes, unchanged\n$/);

    const embedded = join(dir, 'emb.vmfb');
    expect((await ireets(['compile', model, '-o', embedded], cacheEnv)).code).toBe(0);
    const runOf = (path: string) => ireets(['run', path, '--device', 'cpu-sync', '--input', 'input=@' + join(dir, 'x.npy')], cacheEnv);
    const x = Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => Math.cos(i));
    writeFileSync(join(dir, 'x.npy'), writeNpy({ dtype: 'f32', shape: [1, 3, 32, 32], bytes: new Uint8Array(x.buffer) }));
    const ext = await runOf(vmfb);
    expect(ext.code).toBe(0);
    expect(ext.stdout).toBe((await runOf(embedded)).stdout);
    const d = await ireets(['dump', vmfb]);
    expect(d.stdout).toMatch(/weights in .*ext\.params: \d+ bytes/);

    rmSync(join(dir, 'ext.params'));
    const missing = await runOf(vmfb);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/INPUT_INVALID.*ext\.params.*cannot read the parameter archive/);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('refuses a corrupt module and a wrong input shape with one clear error and exit 1', async () => {
    const model = await ensureFixture('tiny_cnn');
    const vmfb = join(dir, 'tiny2.vmfb');
    expect((await ireets(['compile', model, '-o', vmfb], cacheEnv)).code).toBe(0);
    const bytes = readFileSync(vmfb);
    bytes[bytes.length - 100] ^= 0xff;
    const bad = join(dir, 'bad.vmfb');
    writeFileSync(bad, bytes);
    const r = await ireets(['run', bad, '--input', 'input=random'], cacheEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MODULE_CORRUPT.*bad\.vmfb.*checksum/);

    const npy = join(dir, 'wrong.npy');
    writeFileSync(npy, writeNpy({ dtype: 'f32', shape: [1, 3, 16, 16], bytes: new Uint8Array(3 * 16 * 16 * 4) }));
    const w = await ireets(['run', vmfb, '--input', `input=@${npy}`], cacheEnv);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/INPUT_INVALID.*input input: expected shape \[1,3,32,32\], got \[1,3,16,16\]/);
    expect(w.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);

  it('names the node of an unsupported op', async () => {
    const r = await ireets(['compile', '/usr/share/libonnx-testdata/data/node/test_strnormalizer_export_monday_casesensintive_lower/model.onnx', '-o', join(dir, 'x.vmfb')], cacheEnv);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MODEL_UNSUPPORTED_OP.*StringNormalizer/);
  }, 60_000);
});
