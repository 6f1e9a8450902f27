// Writes the skeletons of the exported fixture models (see skeleton.ts) to bench/gpu/skeletons/,
// small enough to travel to the GPU machine:
//   node --import tsx bench/gpu/make-skeletons.ts [names…]   (default: mobilenet_v2 resnet18 minilm)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORTED_FIXTURES, type ExportedFixtureName } from '../../fixtures/catalog.js';
import { ensureFixture } from '../../fixtures/generate.js';
import { SKELETON_DIR } from './skeleton-dir.js';
import { makeSkeleton } from './skeleton.js';

async function main(argv: readonly string[]): Promise<void> {
  const names = (argv.length ? argv : EXPORTED_FIXTURES) as readonly ExportedFixtureName[];
  mkdirSync(SKELETON_DIR, { recursive: true });
  for (const name of names) {
    const source = readFileSync(await ensureFixture(name));
    const { bytes, stripped, kept } = makeSkeleton(source);
    const path = join(SKELETON_DIR, `${name}.onnx`);
    writeFileSync(path, bytes);
    console.log(`${path}: ${bytes.length} bytes (from ${source.length}); ${stripped} tensors stripped, ${kept} kept`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
