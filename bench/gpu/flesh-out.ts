// Writes a full model from a skeleton (seeded weights, as run-gpu.ts makes them), for the CLI:
//   node --import tsx bench/gpu/flesh-out.ts NAME OUT.onnx   (reads bench/gpu/skeletons/NAME.onnx)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SKELETON_DIR } from './skeleton-dir.js';
import { fleshOut } from './skeleton.js';

const [name, out] = process.argv.slice(2);
if (!name || !out) {
  console.error('usage: flesh-out.ts NAME OUT.onnx');
  process.exit(2);
}
const { bytes, filled } = fleshOut(readFileSync(join(SKELETON_DIR, `${name}.onnx`)), name);
writeFileSync(out, bytes);
console.log(`${out}: ${bytes.length} bytes, ${filled} tensors refilled`);
