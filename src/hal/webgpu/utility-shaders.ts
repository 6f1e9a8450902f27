/**
 * Byte-granular fill and copy shaders, for ranges WebGPU's clearBuffer/copyBufferToBuffer can't
 * take (offsets or lengths not multiples of 4, non-zero fill bytes). One invocation owns one
 * 32-bit word of the destination and rewrites only the bytes inside the range, so edge words
 * shared with neighbouring tensors keep their other bytes. Buffers are bound whole; params carry
 * byte offsets.
 */
import type { WgslExecutableMeta } from '../../util/wgsl-kernel-abi.js';

export const UTILITY_WORKGROUP = 64;

// params[0] = (first word, word count, first byte, end byte); params[1].x = the 4-byte pattern.
const FILL = `@group(0) @binding(0) var<storage, read_write> dst: array<u32>;
@group(1) @binding(0) var<uniform> params: array<vec4<i32>, 2>;

@compute @workgroup_size(${UTILITY_WORKGROUP})
fn fill(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let p = params[0];
  let k = i32(wid.x) * ${UTILITY_WORKGROUP} + i32(lid.x);
  if (k >= p.y) { return; }
  let w = p.x + k;
  var mask = 0u;
  for (var b = 0; b < 4; b = b + 1) {
    let a = w * 4 + b;
    if (a >= p.z && a < p.w) { mask = mask | (0xffu << u32(b * 8)); }
  }
  dst[w] = (dst[w] & ~mask) | (bitcast<u32>(params[1].x) & mask);
}
`;

// params[0] = (first dst word, word count, src byte, dst byte); params[1].x = byte length.
const copySource = (sameBuffer: boolean): string => `@group(0) @binding(0) var<storage, read_write> dst: array<u32>;
${sameBuffer ? '' : '@group(0) @binding(1) var<storage, read_write> src: array<u32>;\n'}@group(1) @binding(0) var<uniform> params: array<vec4<i32>, 2>;

@compute @workgroup_size(${UTILITY_WORKGROUP})
fn copy(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let p = params[0];
  let k = i32(wid.x) * ${UTILITY_WORKGROUP} + i32(lid.x);
  if (k >= p.y) { return; }
  let w = p.x + k;
  let end = p.w + params[1].x;
  var word = dst[w];
  for (var b = 0; b < 4; b = b + 1) {
    let a = w * 4 + b;
    if (a >= p.w && a < end) {
      let s = p.z + (a - p.w);
      let byte = (${sameBuffer ? 'dst' : 'src'}[s / 4] >> u32((s % 4) * 8)) & 0xffu;
      word = (word & ~(0xffu << u32(b * 8))) | (byte << u32(b * 8));
    }
  }
  dst[w] = word;
}
`;

const metaOf = (name: string, bindings: number): WgslExecutableMeta => ({
  entryPoints: [{
    name,
    workgroupSize: [UTILITY_WORKGROUP, 1, 1],
    workgroupCount: [null, 1, 1],
    bindings: Array.from({ length: bindings }, (_, i) => ({ name: i === 0 ? 'dst' : 'src', dtype: 'u32', access: 'readwrite' as const, minBindingSize: 4 })),
    numParams: 8,
  }],
  narrowed: [],
});

export const UTILITY_SHADERS = {
  fill: { source: FILL, meta: metaOf('fill', 1) },
  copy: { source: copySource(false), meta: metaOf('copy', 2) },
  copyWithin: { source: copySource(true), meta: metaOf('copy', 1) },
} as const;
