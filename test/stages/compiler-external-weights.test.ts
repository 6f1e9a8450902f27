// compileToFile with weights: 'external' (what `ireets watch` writes): the module and its
// parameter archive together are a clean build's module; an edit that keeps the weights rewrites
// only the small module file and leaves the archive alone; a weight edit rewrites the archive; a
// missing or tampered archive is rewritten; a runtime given the wrong archive says so.
import { copyFileSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDevice } from '../../src/runtime/devices.js';
import { readModuleFiles } from '../../src/runtime/module-files.js';
import { Session } from '../../src/runtime/session.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler } from '../../src/stages/compiler.js';
import { archivePathOf } from '../../src/stages/queries/module-file.js';
import { mlp, WEIGHT_BYTES, WIDTH } from '../support/mlp-model.js';
import { sameModuleFile } from '../support/module-files.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-external-');

const external = { weights: 'external' } as const;

/** A folder holding mlp() as mlp.onnx, with where its module and archive go. */
function project(): { dir: string; model: string; output: string; archive: string } {
  const dir = tempDir();
  const model = join(dir, 'mlp.onnx');
  writeFileSync(model, mlp());
  const output = join(dir, 'mlp.vmfb');
  return { dir, model, output, archive: archivePathOf(output) };
}
/** What says a file was not rewritten: same inode and modification time. */
const identity = (path: string): string => {
  const s = statSync(path, { bigint: true });
  return `${s.ino}/${s.mtimeNs}`;
};

async function runModule(path: string): Promise<Float32Array> {
  const files = await readModuleFiles(path);
  const device = await createDevice('cpu-sync');
  try {
    const session = await Session.load(files.module, device, path, files.parameters);
    const x = Float32Array.from({ length: WIDTH }, (_, i) => Math.sin(i));
    const [y] = await session.run([{ dtype: 'f32', shape: [1, WIDTH], data: x }]);
    return y!.data as Float32Array;
  } finally {
    await device.destroy();
  }
}

describe('compileToFile with external weights', () => {
  it('writes a small module beside a parameter archive, and rewrites each only when it changes', async () => {
    const { dir, model, output, archive } = project();
    const cacheDir = join(dir, 'cache');
    expect(archive).toBe(join(dir, 'mlp.params'));

    let compiler = await openCompiler({ cacheDir });
    try {
      const cold = await compiler.compileToFile(model, output, external);
      expect(cold.written).toBe(true);
      expect(cold.parameters).toEqual({ output: archive, bytes: statSync(archive).size, written: true });
      expect(cold.bytes).toBe(statSync(output).size);
      expect(cold.bytes).toBeLessThan(WEIGHT_BYTES / 4);
      expect(statSync(archive).size).toBeGreaterThan(2 * WEIGHT_BYTES);
      expect(await sameModuleFile(output, (await compileOnnx(mlp(), { path: model })).module)).toBe(true);
      const embeddedOut = join(dir, 'embedded.vmfb');
      await compiler.compileToFile(model, embeddedOut);
      expect(Array.from(await runModule(output))).toEqual(Array.from(await runModule(embeddedOut)));

      // An op edit: a new module, the same archive (not even rewritten).
      const archiveBefore = identity(archive);
      writeFileSync(model, mlp({ act: 'Sigmoid' }));
      const opEdit = await compiler.compileToFile(model, output, external);
      expect(opEdit.written).toBe(true);
      expect(opEdit.parameters?.written).toBe(false);
      expect(identity(archive)).toBe(archiveBefore);
      expect(await sameModuleFile(output, (await compileOnnx(mlp({ act: 'Sigmoid' }), { path: model })).module)).toBe(true);

      // A weight edit: the archive is rewritten.
      writeFileSync(model, mlp({ act: 'Sigmoid', w2Seed: 3 }));
      const weightEdit = await compiler.compileToFile(model, output, external);
      expect(weightEdit.parameters?.written).toBe(true);
      expect(await sameModuleFile(output, (await compileOnnx(mlp({ act: 'Sigmoid', w2Seed: 3 }), { path: model })).module)).toBe(true);
    } finally {
      await compiler.close();
    }

    // A fresh process over the same cache: a no-op writes neither file.
    const moduleBefore = identity(output);
    const archiveBefore = identity(archive);
    compiler = await openCompiler({ cacheDir });
    try {
      const noop = await compiler.compileToFile(model, output, external);
      expect(noop.written).toBe(false);
      expect(noop.parameters?.written).toBe(false);
      expect([identity(output), identity(archive)]).toEqual([moduleBefore, archiveBefore]);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('rewrites an archive that was deleted or changed behind its back', async () => {
    const { dir, model, output, archive } = project();
    const clean = (await compileOnnx(mlp(), { path: model })).module;
    const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
    try {
      await compiler.compileToFile(model, output, external);
      unlinkSync(archive);
      const afterDelete = await compiler.compileToFile(model, output, external);
      expect(afterDelete.parameters?.written).toBe(true);
      expect(await sameModuleFile(output, clean)).toBe(true);

      const bytes = readFileSync(archive);
      bytes[bytes.length - 1000]! ^= 0xff;
      writeFileSync(archive, bytes);
      const afterTamper = await compiler.compileToFile(model, output, external);
      expect(afterTamper.parameters?.written).toBe(true);
      expect(await sameModuleFile(output, clean)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('switches between embedded and external weights on the same output', async () => {
    const { dir, model, output } = project();
    const clean = (await compileOnnx(mlp(), { path: model })).module;
    const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
    try {
      expect((await compiler.compileToFile(model, output, external)).written).toBe(true);
      expect((await compiler.compileToFile(model, output)).written).toBe(true);
      expect(Buffer.from(readFileSync(output)).equals(Buffer.from(clean))).toBe(true);
      expect((await compiler.compileToFile(model, output, external)).written).toBe(true);
      expect(await sameModuleFile(output, clean)).toBe(true);
    } finally {
      await compiler.close();
    }
  }, 60_000);

  it('a module whose archive is missing, or from another build, is refused naming the culprit', async () => {
    const { dir, model, output, archive } = project();
    const compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
    try {
      await compiler.compileToFile(model, output, external);
      copyFileSync(archive, join(dir, 'old.params'));
      writeFileSync(model, mlp({ w2Seed: 5 }));
      await compiler.compileToFile(model, output, external);
    } finally {
      await compiler.close();
    }
    const files = await readModuleFiles(output, { weights: join(dir, 'old.params') });
    const device = await createDevice('cpu-sync');
    try {
      await expect(Session.load(files.module, device, output, files.parameters)).rejects.toThrow(/mlp\.vmfb.*other weights.*another build/);
    } finally {
      await device.destroy();
    }
    unlinkSync(archive);
    await expect(readModuleFiles(output)).rejects.toThrow(/mlp\.params.*cannot read the parameter archive/);
  }, 60_000);
});
