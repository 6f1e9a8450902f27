// Runs emitted SPIR-V on a real Vulkan 1.1 driver (Mesa's lavapipe where installed) and checks
// the numbers: storage conversions (f16, bf16, f64, i64, sub-word), casts, math functions, loops,
// push constants, and the ONNX conformance models region by region against their expected
// outputs. The driver is reached through a small C program (below) compiled with the system C
// compiler against libvulkan.so.1; without either, or without a Vulkan device, the suite is
// skipped with a message. VK_ICD_FILENAMES picks the driver (default: lavapipe when installed);
// SPIRV_VULKAN_CASES=<regex> runs a subset of the conformance models and
// SPIRV_VULKAN_STRATEGIES=gpu,cpu the lowering strategies to run them with (default gpu).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lowerRegionGpu } from '../../src/codegen/gpu/lower-region-gpu.js';
import type { BinaryOp, Expr, Kernel, ScalarType, Stmt, UnaryOp } from '../../src/codegen/kernel-ir.js';
import { lowerRegion } from '../../src/codegen/lower-region.js';
import { emitSpirvExecutable } from '../../src/codegen/spirv/index.js';
import { importModel } from '../../src/frontend/import-model.js';
import { readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { byteSize, type DType } from '../../src/ir/dtype.js';
import { bf16BitsToNumber, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from '../../src/ir/float16.js';
import type { IRModule, Value } from '../../src/ir/graph.js';
import { partitionGraph } from '../../src/ir/partition.js';
import { runPipeline } from '../../src/ir/passes.js';
import { Tensor } from '../../src/ir/tensor.js';
import { staticSize } from '../../src/ir/types.js';
import { listCases, NODE_TESTS_DIR } from '../conformance/cases.js';
import { compareTensors } from '../conformance/compare.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import { initHashing } from '../../src/util/hash.js';
import { buildModule, type BuiltModule } from '../support/lowering-harness.js';

// ---- the Vulkan runner ----

/**
 * Executes a plan: buffers (size, initial bytes), dispatches (SPIR-V file, entry point, workgroup
 * counts, bindings = buffer indices, i32 push constants), then writes chosen buffers to files.
 * Declares the few Vulkan 1.0 types and functions it needs itself (no Vulkan headers required).
 */
const RUNNER_C = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t VkFlags;
typedef uint64_t VkDeviceSize;
typedef int32_t VkResult;
#define HANDLE(name) typedef struct name##_T *name;
HANDLE(VkInstance) HANDLE(VkPhysicalDevice) HANDLE(VkDevice) HANDLE(VkQueue) HANDLE(VkCommandBuffer)
HANDLE(VkBuffer) HANDLE(VkDeviceMemory) HANDLE(VkShaderModule) HANDLE(VkDescriptorSetLayout)
HANDLE(VkPipelineLayout) HANDLE(VkPipeline) HANDLE(VkDescriptorPool) HANDLE(VkDescriptorSet)
HANDLE(VkCommandPool) HANDLE(VkPipelineCache)

typedef struct { uint32_t sType; const void *pNext; const char *pApplicationName; uint32_t applicationVersion; const char *pEngineName; uint32_t engineVersion; uint32_t apiVersion; } VkApplicationInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; const VkApplicationInfo *pApplicationInfo; uint32_t enabledLayerCount; const char *const *ppEnabledLayerNames; uint32_t enabledExtensionCount; const char *const *ppEnabledExtensionNames; } VkInstanceCreateInfo;
typedef struct { VkFlags queueFlags; uint32_t queueCount; uint32_t timestampValidBits; uint32_t granularity[3]; } VkQueueFamilyProperties;
typedef struct { VkFlags propertyFlags; uint32_t heapIndex; } VkMemoryType;
typedef struct { VkDeviceSize size; VkFlags flags; } VkMemoryHeap;
typedef struct { uint32_t memoryTypeCount; VkMemoryType memoryTypes[32]; uint32_t memoryHeapCount; VkMemoryHeap memoryHeaps[16]; } VkPhysicalDeviceMemoryProperties;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t queueFamilyIndex; uint32_t queueCount; const float *pQueuePriorities; } VkDeviceQueueCreateInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t queueCreateInfoCount; const VkDeviceQueueCreateInfo *pQueueCreateInfos; uint32_t enabledLayerCount; const char *const *ppEnabledLayerNames; uint32_t enabledExtensionCount; const char *const *ppEnabledExtensionNames; const void *pEnabledFeatures; } VkDeviceCreateInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; VkDeviceSize size; VkFlags usage; uint32_t sharingMode; uint32_t queueFamilyIndexCount; const uint32_t *pQueueFamilyIndices; } VkBufferCreateInfo;
typedef struct { VkDeviceSize size; VkDeviceSize alignment; uint32_t memoryTypeBits; } VkMemoryRequirements;
typedef struct { uint32_t sType; const void *pNext; VkDeviceSize allocationSize; uint32_t memoryTypeIndex; } VkMemoryAllocateInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; size_t codeSize; const uint32_t *pCode; } VkShaderModuleCreateInfo;
typedef struct { uint32_t binding; uint32_t descriptorType; uint32_t descriptorCount; VkFlags stageFlags; const void *pImmutableSamplers; } VkDescriptorSetLayoutBinding;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t bindingCount; const VkDescriptorSetLayoutBinding *pBindings; } VkDescriptorSetLayoutCreateInfo;
typedef struct { VkFlags stageFlags; uint32_t offset; uint32_t size; } VkPushConstantRange;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t setLayoutCount; const VkDescriptorSetLayout *pSetLayouts; uint32_t pushConstantRangeCount; const VkPushConstantRange *pPushConstantRanges; } VkPipelineLayoutCreateInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t stage; VkShaderModule module; const char *pName; const void *pSpecializationInfo; } VkPipelineShaderStageCreateInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; VkPipelineShaderStageCreateInfo stage; VkPipelineLayout layout; VkPipeline basePipelineHandle; int32_t basePipelineIndex; } VkComputePipelineCreateInfo;
typedef struct { uint32_t type; uint32_t descriptorCount; } VkDescriptorPoolSize;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t maxSets; uint32_t poolSizeCount; const VkDescriptorPoolSize *pPoolSizes; } VkDescriptorPoolCreateInfo;
typedef struct { uint32_t sType; const void *pNext; VkDescriptorPool descriptorPool; uint32_t descriptorSetCount; const VkDescriptorSetLayout *pSetLayouts; } VkDescriptorSetAllocateInfo;
typedef struct { VkBuffer buffer; VkDeviceSize offset; VkDeviceSize range; } VkDescriptorBufferInfo;
typedef struct { uint32_t sType; const void *pNext; VkDescriptorSet dstSet; uint32_t dstBinding; uint32_t dstArrayElement; uint32_t descriptorCount; uint32_t descriptorType; const void *pImageInfo; const VkDescriptorBufferInfo *pBufferInfo; const void *pTexelBufferView; } VkWriteDescriptorSet;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; uint32_t queueFamilyIndex; } VkCommandPoolCreateInfo;
typedef struct { uint32_t sType; const void *pNext; VkCommandPool commandPool; uint32_t level; uint32_t commandBufferCount; } VkCommandBufferAllocateInfo;
typedef struct { uint32_t sType; const void *pNext; VkFlags flags; const void *pInheritanceInfo; } VkCommandBufferBeginInfo;
typedef struct { uint32_t sType; const void *pNext; uint32_t waitSemaphoreCount; const void *pWaitSemaphores; const VkFlags *pWaitDstStageMask; uint32_t commandBufferCount; const VkCommandBuffer *pCommandBuffers; uint32_t signalSemaphoreCount; const void *pSignalSemaphores; } VkSubmitInfo;

VkResult vkCreateInstance(const VkInstanceCreateInfo *, const void *, VkInstance *);
VkResult vkEnumeratePhysicalDevices(VkInstance, uint32_t *, VkPhysicalDevice *);
void vkGetPhysicalDeviceQueueFamilyProperties(VkPhysicalDevice, uint32_t *, VkQueueFamilyProperties *);
void vkGetPhysicalDeviceMemoryProperties(VkPhysicalDevice, VkPhysicalDeviceMemoryProperties *);
VkResult vkCreateDevice(VkPhysicalDevice, const VkDeviceCreateInfo *, const void *, VkDevice *);
void vkGetDeviceQueue(VkDevice, uint32_t, uint32_t, VkQueue *);
VkResult vkCreateBuffer(VkDevice, const VkBufferCreateInfo *, const void *, VkBuffer *);
void vkGetBufferMemoryRequirements(VkDevice, VkBuffer, VkMemoryRequirements *);
VkResult vkAllocateMemory(VkDevice, const VkMemoryAllocateInfo *, const void *, VkDeviceMemory *);
VkResult vkBindBufferMemory(VkDevice, VkBuffer, VkDeviceMemory, VkDeviceSize);
VkResult vkMapMemory(VkDevice, VkDeviceMemory, VkDeviceSize, VkDeviceSize, VkFlags, void **);
VkResult vkCreateShaderModule(VkDevice, const VkShaderModuleCreateInfo *, const void *, VkShaderModule *);
VkResult vkCreateDescriptorSetLayout(VkDevice, const VkDescriptorSetLayoutCreateInfo *, const void *, VkDescriptorSetLayout *);
VkResult vkCreatePipelineLayout(VkDevice, const VkPipelineLayoutCreateInfo *, const void *, VkPipelineLayout *);
VkResult vkCreateComputePipelines(VkDevice, VkPipelineCache, uint32_t, const VkComputePipelineCreateInfo *, const void *, VkPipeline *);
VkResult vkCreateDescriptorPool(VkDevice, const VkDescriptorPoolCreateInfo *, const void *, VkDescriptorPool *);
VkResult vkAllocateDescriptorSets(VkDevice, const VkDescriptorSetAllocateInfo *, VkDescriptorSet *);
void vkUpdateDescriptorSets(VkDevice, uint32_t, const VkWriteDescriptorSet *, uint32_t, const void *);
VkResult vkCreateCommandPool(VkDevice, const VkCommandPoolCreateInfo *, const void *, VkCommandPool *);
VkResult vkAllocateCommandBuffers(VkDevice, const VkCommandBufferAllocateInfo *, VkCommandBuffer *);
VkResult vkBeginCommandBuffer(VkCommandBuffer, const VkCommandBufferBeginInfo *);
void vkCmdBindPipeline(VkCommandBuffer, uint32_t, VkPipeline);
void vkCmdBindDescriptorSets(VkCommandBuffer, uint32_t, VkPipelineLayout, uint32_t, uint32_t, const VkDescriptorSet *, uint32_t, const uint32_t *);
void vkCmdPushConstants(VkCommandBuffer, VkPipelineLayout, VkFlags, uint32_t, uint32_t, const void *);
void vkCmdDispatch(VkCommandBuffer, uint32_t, uint32_t, uint32_t);
VkResult vkEndCommandBuffer(VkCommandBuffer);
VkResult vkQueueSubmit(VkQueue, uint32_t, const VkSubmitInfo *, void *);
VkResult vkQueueWaitIdle(VkQueue);

#define CHECK(x) do { VkResult r_ = (x); if (r_ != 0) { fprintf(stderr, "%s failed: %d\n", #x, r_); exit(2); } } while (0)
#define READ(n, ...) do { if (fscanf(plan, __VA_ARGS__) != (n)) { fprintf(stderr, "bad plan\n"); exit(2); } } while (0)
#define MAXB 64

static void *readFile(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END); *size = (size_t)ftell(f); fseek(f, 0, SEEK_SET);
  void *p = malloc(*size ? *size : 1);
  if (*size && fread(p, 1, *size, f) != *size) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(f);
  return p;
}

/* Plan: "buffers N" then N x "bytes initPath|-"; "dispatches M" then M x "spvPath entry gx gy gz
   nbind b0.. nconst c0.."; "outputs K" then K x "buffer outPath". Exit 3: no usable device. */
int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: runner plan\n"); return 2; }
  FILE *plan = fopen(argv[1], "r");
  if (!plan) { fprintf(stderr, "cannot open plan\n"); return 2; }
  VkApplicationInfo app = { 0, NULL, "ireets-spirv-test", 1, "ireets", 1, (1u << 22) | (1u << 12) };
  VkInstanceCreateInfo ici = { 1, NULL, 0, &app, 0, NULL, 0, NULL };
  VkInstance inst;
  if (vkCreateInstance(&ici, NULL, &inst) != 0) { fprintf(stderr, "no Vulkan instance\n"); return 3; }
  uint32_t nphys = 8; VkPhysicalDevice phys[8];
  VkResult er = vkEnumeratePhysicalDevices(inst, &nphys, phys);
  if ((er != 0 && er != 5) || nphys == 0) { fprintf(stderr, "no Vulkan device\n"); return 3; }
  VkPhysicalDevice pd = phys[0];
  uint32_t nq = 16; VkQueueFamilyProperties qf[16];
  vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, qf);
  uint32_t family = 0;
  while (family < nq && !(qf[family].queueFlags & 2)) family++;
  if (family == nq) { fprintf(stderr, "no compute queue\n"); return 3; }
  float prio = 1.0f;
  VkDeviceQueueCreateInfo qci = { 2, NULL, 0, family, 1, &prio };
  VkDeviceCreateInfo dci = { 3, NULL, 0, 1, &qci, 0, NULL, 0, NULL, NULL };
  VkDevice dev; CHECK(vkCreateDevice(pd, &dci, NULL, &dev));
  VkQueue queue; vkGetDeviceQueue(dev, family, 0, &queue);
  VkPhysicalDeviceMemoryProperties mp; vkGetPhysicalDeviceMemoryProperties(pd, &mp);

  int nbuf; READ(1, " buffers %d", &nbuf);
  VkBuffer *bufs = calloc(nbuf + 1, sizeof *bufs);
  VkDeviceSize *sizes = calloc(nbuf + 1, sizeof *sizes);
  void **maps = calloc(nbuf + 1, sizeof *maps);
  for (int i = 0; i < nbuf; i++) {
    unsigned long long bytes; char init[4096];
    READ(2, " %llu %4095s", &bytes, init);
    sizes[i] = bytes < 4 ? 4 : (bytes + 3) / 4 * 4;
    VkBufferCreateInfo bci = { 12, NULL, 0, sizes[i], 0x20, 0, 0, NULL };
    CHECK(vkCreateBuffer(dev, &bci, NULL, &bufs[i]));
    VkMemoryRequirements req; vkGetBufferMemoryRequirements(dev, bufs[i], &req);
    uint32_t type = 0;
    while (type < mp.memoryTypeCount && !((req.memoryTypeBits & (1u << type)) && (mp.memoryTypes[type].propertyFlags & 6) == 6)) type++;
    if (type == mp.memoryTypeCount) { fprintf(stderr, "no host-visible coherent memory\n"); return 3; }
    VkMemoryAllocateInfo mai = { 5, NULL, req.size, type };
    VkDeviceMemory mem; CHECK(vkAllocateMemory(dev, &mai, NULL, &mem));
    CHECK(vkBindBufferMemory(dev, bufs[i], mem, 0));
    CHECK(vkMapMemory(dev, mem, 0, sizes[i], 0, &maps[i]));
    memset(maps[i], 0, sizes[i]);
    if (strcmp(init, "-") != 0) {
      size_t n; void *data = readFile(init, &n);
      memcpy(maps[i], data, n < sizes[i] ? n : sizes[i]);
      free(data);
    }
  }
  VkCommandPoolCreateInfo cpci = { 39, NULL, 0, family };
  VkCommandPool pool; CHECK(vkCreateCommandPool(dev, &cpci, NULL, &pool));
  int ndisp; READ(1, " dispatches %d", &ndisp);
  for (int d = 0; d < ndisp; d++) {
    char spv[4096], entry[256]; unsigned gx, gy, gz; int nb, nc, bi[MAXB]; int32_t consts[MAXB];
    READ(6, " %4095s %255s %u %u %u %d", spv, entry, &gx, &gy, &gz, &nb);
    if (nb > MAXB) { fprintf(stderr, "too many bindings\n"); return 2; }
    for (int i = 0; i < nb; i++) READ(1, " %d", &bi[i]);
    READ(1, " %d", &nc);
    if (nc > MAXB) { fprintf(stderr, "too many constants\n"); return 2; }
    for (int i = 0; i < nc; i++) READ(1, " %d", &consts[i]);
    size_t codeSize; uint32_t *code = readFile(spv, &codeSize);
    VkShaderModuleCreateInfo smci = { 16, NULL, 0, codeSize, code };
    VkShaderModule sm; CHECK(vkCreateShaderModule(dev, &smci, NULL, &sm));
    VkDescriptorSetLayoutBinding lb[MAXB];
    for (int i = 0; i < nb; i++) { VkDescriptorSetLayoutBinding b = { (uint32_t)i, 7, 1, 0x20, NULL }; lb[i] = b; }
    VkDescriptorSetLayoutCreateInfo dslci = { 32, NULL, 0, (uint32_t)nb, lb };
    VkDescriptorSetLayout dsl; CHECK(vkCreateDescriptorSetLayout(dev, &dslci, NULL, &dsl));
    VkPushConstantRange pcr = { 0x20, 0, (uint32_t)nc * 4 };
    VkPipelineLayoutCreateInfo plci = { 30, NULL, 0, 1, &dsl, nc > 0 ? 1u : 0u, &pcr };
    VkPipelineLayout pl; CHECK(vkCreatePipelineLayout(dev, &plci, NULL, &pl));
    VkComputePipelineCreateInfo cpi = { 29, NULL, 0, { 18, NULL, 0, 0x20, sm, entry, NULL }, pl, NULL, -1 };
    VkPipeline pipe; CHECK(vkCreateComputePipelines(dev, NULL, 1, &cpi, NULL, &pipe));
    VkDescriptorPoolSize ps = { 7, (uint32_t)(nb > 0 ? nb : 1) };
    VkDescriptorPoolCreateInfo dpci = { 33, NULL, 0, 1, 1, &ps };
    VkDescriptorPool dp; CHECK(vkCreateDescriptorPool(dev, &dpci, NULL, &dp));
    VkDescriptorSetAllocateInfo dsai = { 34, NULL, dp, 1, &dsl };
    VkDescriptorSet ds; CHECK(vkAllocateDescriptorSets(dev, &dsai, &ds));
    VkDescriptorBufferInfo infos[MAXB]; VkWriteDescriptorSet writes[MAXB];
    for (int i = 0; i < nb; i++) {
      VkDescriptorBufferInfo info = { bufs[bi[i]], 0, sizes[bi[i]] }; infos[i] = info;
      VkWriteDescriptorSet w = { 35, NULL, ds, (uint32_t)i, 0, 1, 7, NULL, &infos[i], NULL }; writes[i] = w;
    }
    vkUpdateDescriptorSets(dev, (uint32_t)nb, writes, 0, NULL);
    VkCommandBufferAllocateInfo cbai = { 40, NULL, pool, 0, 1 };
    VkCommandBuffer cb; CHECK(vkAllocateCommandBuffers(dev, &cbai, &cb));
    VkCommandBufferBeginInfo cbbi = { 42, NULL, 1, NULL };
    CHECK(vkBeginCommandBuffer(cb, &cbbi));
    vkCmdBindPipeline(cb, 1, pipe);
    vkCmdBindDescriptorSets(cb, 1, pl, 0, 1, &ds, 0, NULL);
    if (nc > 0) vkCmdPushConstants(cb, pl, 0x20, 0, (uint32_t)nc * 4, consts);
    vkCmdDispatch(cb, gx, gy, gz);
    CHECK(vkEndCommandBuffer(cb));
    VkSubmitInfo si = { 4, NULL, 0, NULL, NULL, 1, &cb, 0, NULL };
    CHECK(vkQueueSubmit(queue, 1, &si, NULL));
    CHECK(vkQueueWaitIdle(queue));
    free(code);
  }
  int nout; READ(1, " outputs %d", &nout);
  for (int o = 0; o < nout; o++) {
    int b; char path[4096];
    READ(2, " %d %4095s", &b, path);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(maps[b], 1, sizes[b], f) != sizes[b]) { fprintf(stderr, "cannot write %s\n", path); return 2; }
    fclose(f);
  }
  return 0;
}
`;

const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
const RUNNER_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  ...(process.env['VK_ICD_FILENAMES'] === undefined && existsSync(LAVAPIPE_ICD) ? { VK_ICD_FILENAMES: LAVAPIPE_ICD } : {}),
};

/** Compiles the runner once per source version; returns its path or why it is unavailable. */
function buildRunner(): { path: string } | { unavailable: string } {
  const dir = join(tmpdir(), `ireets-spirv-vulkan-${createHash('sha256').update(RUNNER_C).digest('hex').slice(0, 16)}`);
  const exe = join(dir, 'runner');
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'runner.c'), RUNNER_C);
    // Built under a private name, then renamed: parallel test workers may build at once.
    const tmp = `${exe}.${process.pid}.tmp`;
    const cc = spawnSync('cc', ['-O1', '-o', tmp, join(dir, 'runner.c'), '-l:libvulkan.so.1'], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) return { unavailable: `cannot build the Vulkan runner (C compiler and libvulkan.so.1 needed): ${cc.error?.message ?? cc.stderr.trim().split('\n')[0]}` };
    renameSync(tmp, exe);
  }
  const probeDir = mkdtempSync(join(tmpdir(), 'ireets-spirv-probe-'));
  try {
    writeFileSync(join(probeDir, 'plan'), 'buffers 0 dispatches 0 outputs 0\n');
    const r = spawnSync(exe, [join(probeDir, 'plan')], { encoding: 'utf8', env: RUNNER_ENV });
    if (r.status !== 0) return { unavailable: `no usable Vulkan device: ${r.stderr.trim() || r.error?.message}` };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
  return { path: exe };
}

const runner = buildRunner();
const RUNNER = 'path' in runner ? runner.path : undefined;

interface Dispatch {
  readonly code: Uint8Array;
  readonly entry: string;
  readonly groups: readonly [number, number, number];
  /** Buffer indices, binding i = bindings[i]. */
  readonly bindings: readonly number[];
  readonly constants?: readonly number[];
}

/** Runs `dispatches` in order over buffers given by size (zeroed) or initial bytes; returns the buffers `outputs`. */
function runOnVulkan(buffers: readonly (number | Uint8Array)[], dispatches: readonly Dispatch[], outputs: readonly number[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'ireets-spirv-run-'));
  try {
    const lines = [`buffers ${buffers.length}`];
    buffers.forEach((b, i) => {
      if (typeof b === 'number') {
        lines.push(`${b} -`);
      } else {
        writeFileSync(join(dir, `b${i}`), b);
        lines.push(`${b.length} ${join(dir, `b${i}`)}`);
      }
    });
    lines.push(`dispatches ${dispatches.length}`);
    dispatches.forEach((d, i) => {
      writeFileSync(join(dir, `k${i}.spv`), d.code);
      const consts = d.constants ?? [];
      lines.push([join(dir, `k${i}.spv`), d.entry, ...d.groups, d.bindings.length, ...d.bindings, consts.length, ...consts].join(' '));
    });
    lines.push(`outputs ${outputs.length}`, ...outputs.map((b, i) => `${b} ${join(dir, `out${i}`)}`));
    writeFileSync(join(dir, 'plan'), lines.join('\n') + '\n');
    const r = spawnSync(RUNNER!, [join(dir, 'plan')], { encoding: 'utf8', env: RUNNER_ENV });
    if (r.status !== 0) throw new Error(`Vulkan runner failed (${r.status}): ${r.stderr.trim()}`);
    return outputs.map((_, i) => new Uint8Array(readFileSync(join(dir, `out${i}`))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- kernels ----

const c32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
const idx: Expr = { k: 'var', name: 'i', t: 'i32' };

/** out[i] = f(in[i]) for i < n (push constant 0), one invocation per element, 64 per workgroup. */
function mapKernel(inT: DType, outT: DType, f: (x: Expr) => Expr, t: ScalarType): Kernel {
  return {
    name: 'map',
    bindings: [{ name: 'x', dtype: inT, access: 'read' }, { name: 'y', dtype: outT, access: 'write' }],
    numParams: 1,
    workgroupCount: [{ k: 'param', index: 0 }, c32(1), c32(1)],
    workgroupSize: [64, 1, 1],
    body: [
      { k: 'let', name: 'i', value: { k: 'binary', op: 'add', t: 'i32', a: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'wgid', dim: 0 }, b: c32(64) }, b: { k: 'lid', dim: 0 } } },
      { k: 'if', cond: { k: 'binary', op: 'lt', t: 'i32', a: idx, b: { k: 'param', index: 0 } }, then: [{ k: 'store', binding: 1, index: idx, value: f({ k: 'load', binding: 0, index: idx, t }) }] },
    ],
  };
}

/** out[i] = a[i] op b[i]. */
function zipKernel(dtype: DType, outT: DType, op: BinaryOp, t: ScalarType): Kernel {
  const k = mapKernel(dtype, outT, () => c32(0), t);
  return {
    ...k,
    bindings: [{ name: 'a', dtype, access: 'read' }, { name: 'b', dtype, access: 'read' }, { name: 'y', dtype: outT, access: 'write' }],
    body: [k.body[0]!, {
      k: 'if', cond: { k: 'binary', op: 'lt', t: 'i32', a: idx, b: { k: 'param', index: 0 } },
      then: [{ k: 'store', binding: 2, index: idx, value: { k: 'binary', op, t, a: { k: 'load', binding: 0, index: idx, t }, b: { k: 'load', binding: 1, index: idx, t } } }],
    }],
  };
}

const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Runs a map kernel over `input` (n elements); the output buffer starts as `outInit` or zeros. */
function runMap(kernel: Kernel, input: ArrayBufferView, n: number, outBytes: number | Uint8Array): Uint8Array {
  const { code } = emitSpirvExecutable([kernel]);
  return runOnVulkan([bytes(input), outBytes], [{ code, entry: kernel.name, groups: [Math.ceil(n / 64), 1, 1], bindings: [0, 1], constants: [n] }], [1])[0]!;
}

function runZip(kernel: Kernel, a: ArrayBufferView, b: ArrayBufferView, n: number, outBytes: number): Uint8Array {
  const { code } = emitSpirvExecutable([kernel]);
  return runOnVulkan([bytes(a), bytes(b), outBytes], [{ code, entry: kernel.name, groups: [Math.ceil(n / 64), 1, 1], bindings: [0, 1, 2], constants: [n] }], [2])[0]!;
}

const f32View = (b: Uint8Array, n: number): Float32Array => new Float32Array(b.buffer, b.byteOffset, n);
const i32View = (b: Uint8Array, n: number): Int32Array => new Int32Array(b.buffer, b.byteOffset, n);
const unary = (op: UnaryOp, t: ScalarType) => (x: Expr): Expr => ({ k: 'unary', op, a: x, t });

/** Deterministic pseudo-random u32s. */
function randomWords(n: number, seed = 12345): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = s;
  }
  return out;
}

function expectSameFloats(got: Float32Array, want: ArrayLike<number>, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !Object.is(g, w)) {
      expect(`${what}[${i}] = ${g}`).toBe(`${what}[${i}] = ${w}`);
    }
  }
}

describe.skipIf(RUNNER === undefined)('SPIR-V on Vulkan: storage conversions', () => {
  it('f16 → f32 is exact for every bit pattern', () => {
    const n = 65536;
    const out = f32View(runMap(mapKernel('f16', 'f32', (x) => x, 'f32'), Uint16Array.from({ length: n }, (_, i) => i), n, n * 4), n);
    expectSameFloats(out, Array.from({ length: n }, (_, i) => Math.fround(f16BitsToNumber(i))), 'f16');
  });

  it('f32 → f16 rounds to nearest even, overflows to inf and keeps NaN', () => {
    const values: number[] = [];
    for (let h = 0; h < 0x7c00; h++) {
      const v = f16BitsToNumber(h);
      const next = f16BitsToNumber(h + 1);
      values.push(v, -v, Math.fround((v + next) / 2), Math.fround(v + (next - v) * 0.25), Math.fround(v + (next - v) * 0.75));
    }
    values.push(Infinity, -Infinity, NaN, 65520, 65519.99, 1e-8, -1e-8, 2 ** -25, 2 ** -24 * 1.5, 1e30);
    const input = Float32Array.from(values);
    const n = input.length;
    const out = new Uint16Array(runMap(mapKernel('f32', 'f16', (x) => x, 'f32'), input, n, n * 2).buffer, 0, n);
    for (let i = 0; i < n; i++) {
      if (out[i] !== numberToF16Bits(input[i]!)) expect(`f16(${input[i]}) = 0x${out[i]!.toString(16)}`).toBe(`f16(${input[i]}) = 0x${numberToF16Bits(input[i]!).toString(16)}`);
    }
  });

  it('bf16 loads every pattern exactly and stores with round to nearest even', () => {
    const n = 65536;
    const loaded = f32View(runMap(mapKernel('bf16', 'f32', (x) => x, 'f32'), Uint16Array.from({ length: n }, (_, i) => i), n, n * 4), n);
    expectSameFloats(loaded, Array.from({ length: n }, (_, i) => bf16BitsToNumber(i)), 'bf16');
    const words = randomWords(4096);
    const input = new Float32Array(words.buffer);
    input[0] = NaN;
    input[1] = Infinity;
    input[2] = bf16BitsToNumber(0x3f81) + 2 ** -8; // halfway between two bf16 values
    const stored = new Uint16Array(runMap(mapKernel('f32', 'bf16', (x) => x, 'f32'), input, input.length, input.length * 2).buffer, 0, input.length);
    for (let i = 0; i < input.length; i++) {
      const want = Number.isNaN(input[i]!) ? (0x7fc0 | ((words[i]! >>> 16) & 0x8000)) : numberToBf16Bits(input[i]!);
      if (stored[i] !== want) expect(`bf16(${input[i]}) = 0x${stored[i]!.toString(16)}`).toBe(`0x${want.toString(16)}`);
    }
  });

  it('f64 loads round to the nearest f32 (subnormals, ties, overflow, NaN)', () => {
    const values = [0, -0, 1, -1.5, Math.PI, 1e-40, -1e-45, 7e-46, 1.5e-45, 2 ** -149 * 2.5, 2 ** -126 * (1 - 2 ** -24),
      3.4028235677973366e38, 3.4028235677973362e38, 1e39, -1e300, 5e-324, 1 + 2 ** -24, 1 + 3 * 2 ** -24, Infinity, -Infinity, NaN];
    const words = randomWords(2048, 99);
    const random = new Float64Array(words.buffer);
    const input = Float64Array.from([...values, ...Array.from(random)]);
    const n = input.length;
    const out = f32View(runMap(mapKernel('f64', 'f32', (x) => ({ k: 'cast', a: x, from: 'f64', t: 'f32' }), 'f64'), input, n, n * 4), n);
    expectSameFloats(out, Array.from(input, (v) => Math.fround(v)), 'f64→f32');
  });

  it('f32 stores into f64 exactly (subnormals and specials included)', () => {
    const words = randomWords(4096, 7);
    words.set([0, 0x80000000, 1, 0x807fffff, 0x00400000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f7fffff, 0x00800000]);
    const input = new Float32Array(words.buffer);
    const n = input.length;
    const out = new Float64Array(runMap(mapKernel('f32', 'f64', (x) => ({ k: 'cast', a: x, from: 'f32', t: 'f64' }), 'f32'), input, n, n * 8).buffer, 0, n);
    for (let i = 0; i < n; i++) {
      const w = input[i]!;
      if (Number.isNaN(w) ? !Number.isNaN(out[i]!) : !Object.is(out[i], w)) expect(`f64(${w}) = ${out[i]}`).toBe(`${w}`);
    }
  });

  it('i64 and u64 compute in 32 bits and store sign- or zero-extended', () => {
    const input = BigInt64Array.from([0n, 1n, -1n, 2147483646n, -2147483648n, 123456789n, -99n]);
    const n = input.length;
    const add1 = (t: 'i64' | 'u64') => (x: Expr): Expr => ({ k: 'binary', op: 'add', t, a: x, b: { k: 'const', t, v: 1n } });
    const i64 = new BigInt64Array(runMap(mapKernel('i64', 'i64', add1('i64'), 'i64'), input, n, n * 8).buffer, 0, n);
    expect(Array.from(i64)).toEqual([1n, 2n, 0n, 2147483647n, -2147483647n, 123456790n, -98n]);
    const u = BigUint64Array.from([0n, 5n, 4294967294n]);
    const u64 = new BigUint64Array(runMap(mapKernel('u64', 'u64', add1('u64'), 'u64'), u, 3, 24).buffer, 0, 3);
    expect(Array.from(u64)).toEqual([1n, 6n, 4294967295n]);
  });

  it.each(['u8', 'i8', 'bool', 'u16', 'i16', 'f16', 'bf16'] as const)('%s stores are race-free and leave other elements alone', (d) => {
    const n = 1001; // not a whole number of words: the last word keeps its other bytes
    const size = byteSize(d);
    const t: ScalarType = d === 'f16' || d === 'bf16' ? 'f32' : 'i32';
    const input = Int32Array.from({ length: n }, (_, i) => (d === 'bool' ? i % 3 === 0 ? 1 : 0 : (i * 37) % 200 - 100));
    const garbage = new Uint8Array(Math.ceil((n * size) / 4) * 4 + 4).fill(0xab);
    const value = (x: Expr): Expr => ({ k: 'cast', a: x, from: 'i32', t });
    const out = runMap(mapKernel('i32', d, value, 'i32'), input, n, garbage);
    const got = Tensor.zeros(d, [n]);
    bytes(got.data as ArrayBufferView).set(out.subarray(0, n * size));
    expect(Array.from({ length: n }, (_, i) => got.getNumber(i))).toEqual(Array.from(input, (v) => {
      const probe = Tensor.zeros(d, [1]);
      probe.setNumber(0, v);
      return probe.getNumber(0);
    }));
    expect(Array.from(out.subarray(n * size, garbage.length - 4))).toEqual(new Array(garbage.length - 4 - n * size).fill(0xab));
  });
});

describe.skipIf(RUNNER === undefined)('SPIR-V on Vulkan: casts and math', () => {
  const specials = Float32Array.from([NaN, Infinity, -Infinity, 3e9, -3e9, 2147483648, -2147483648, 2147483520, 1e20, -1e20, -1.5, 1.5, -0.75, 4294967296, 4294967040, 0]);

  it('float → i32 / u32 truncate and saturate, NaN → 0', () => {
    const n = specials.length;
    const toI32 = i32View(runMap(mapKernel('f32', 'i32', (x) => ({ k: 'cast', a: x, from: 'f32', t: 'i32' }), 'f32'), specials, n, n * 4), n);
    expect(Array.from(toI32)).toEqual([0, 2147483647, -2147483648, 2147483647, -2147483648, 2147483647, -2147483648, 2147483520, 2147483647, -2147483648, -1, 1, 0, 2147483647, 2147483647, 0]);
    const toU32 = new Uint32Array(runMap(mapKernel('f32', 'u32', (x) => ({ k: 'cast', a: x, from: 'f32', t: 'u32' }), 'f32'), specials, n, n * 4).buffer, 0, n);
    expect(Array.from(toU32)).toEqual([0, 4294967295, 0, 3000000000, 0, 2147483648, 0, 2147483520, 4294967295, 0, 0, 1, 0, 4294967295, 4294967040, 0]);
  });

  it('float → i64 keeps the low 32 bits of the 64-bit result', () => {
    const n = specials.length;
    const out = new BigInt64Array(runMap(mapKernel('f32', 'i64', (x) => ({ k: 'cast', a: x, from: 'f32', t: 'i64' }), 'f32'), specials, n, n * 8).buffer, 0, n);
    const low = (v: number): bigint => (Number.isNaN(v) || Math.abs(v) >= 2 ** 63 ? 0n : BigInt.asIntN(32, BigInt(Math.trunc(v))));
    expect(Array.from(out)).toEqual(Array.from(specials, low));
  });

  it('transcendentals and erf, sigmoid, tanh match f64 references', () => {
    const input = Float32Array.from({ length: 2000 }, (_, i) => (i - 1000) / 97);
    const n = input.length;
    const cases: [UnaryOp, (x: number) => number, number][] = [
      ['exp', Math.exp, 1e-6], ['sin', Math.sin, 5e-4], ['tanh', Math.tanh, 1e-6], ['atan', Math.atan, 1e-6],
      ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), 1e-6], ['erf', erfReference, 1e-6], ['sqrt', Math.sqrt, 1e-6],
    ];
    for (const [op, ref, tol] of cases) {
      const out = f32View(runMap(mapKernel('f32', 'f32', unary(op, 'f32'), 'f32'), input, n, n * 4), n);
      for (let i = 0; i < n; i++) {
        const want = ref(input[i]!);
        if (Number.isNaN(want)) expect(out[i]).toBeNaN();
        else if (Math.abs(out[i]! - want) > tol + 1e-5 * Math.abs(want)) expect(`${op}(${input[i]}) = ${out[i]}`).toBe(`${op}(${input[i]}) = ${want}`);
      }
    }
    // Tails: no inf/inf or overflow (sigmoid(-80) is a normal f32).
    const big = Float32Array.from([100, -80, 1e30, -1e30, NaN]);
    expectSameFloats(f32View(runMap(mapKernel('f32', 'f32', unary('tanh', 'f32'), 'f32'), big, 5, 20), 5), [1, -1, 1, -1, NaN], 'tanh');
    const sigmoid = f32View(runMap(mapKernel('f32', 'f32', unary('sigmoid', 'f32'), 'f32'), big, 5, 20), 5);
    expectSameFloats(sigmoid.subarray(2), [1, 0, NaN], 'sigmoid');
    expect(sigmoid[0]).toBe(1);
    expect(sigmoid[1]! / (1 / (1 + Math.exp(80)))).toBeCloseTo(1, 5);
  });

  it('predicates and sign on special values', () => {
    const input = Float32Array.from([NaN, Infinity, -Infinity, 0, -0, 2.5, -2.5]);
    const n = input.length;
    const run = (op: UnaryOp, outT: DType) => runMap(mapKernel('f32', outT, unary(op, 'f32'), 'f32'), input, n, n * 4);
    expect(Array.from(i32View(run('is_nan', 'i32'), n))).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(i32View(run('is_inf_pos', 'i32'), n))).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(i32View(run('is_inf_neg', 'i32'), n))).toEqual([0, 0, 1, 0, 0, 0, 0]);
    expectSameFloats(f32View(run('sign', 'f32'), n), [NaN, 1, -1, 0, -0, 1, -1], 'sign');
    expectSameFloats(f32View(run('round_even', 'f32'), n), [NaN, Infinity, -Infinity, 0, -0, 2, -2], 'round_even');
  });

  it('float pow, fmod, floor modulo, min and max follow C / ONNX semantics', () => {
    const a = Float32Array.from([-2, -2, -8, 0, -0, 0, 2, NaN, 1, 5.5, -5.5, 5.5, -5.5, 3, NaN, -0]);
    const b = Float32Array.from([3, 2, 1 / 3, -1, -3, 0, 10, 0, 2, 2, 2, -2, -2, NaN, 1, 0]);
    const n = a.length;
    const run = (op: BinaryOp) => f32View(runZip(zipKernel('f32', 'f32', op, 'f32'), a, b, n, n * 4), n);
    const pow = run('pow');
    expectSameFloats(pow.subarray(2, 6), [NaN, Infinity, -Infinity, 1], 'pow');
    expectSameFloats(pow.subarray(7, 8), [1], 'pow');
    for (const [i, want] of [[0, -8], [1, 4], [6, 1024], [8, 1]] as const) expect(pow[i]! / want).toBeCloseTo(1, 5);
    expectSameFloats(run('fmod').subarray(9, 13), [1.5, -1.5, 1.5, -1.5], 'fmod');
    expectSameFloats(run('mod_floor').subarray(9, 13), [1.5, 0.5, -0.5, -1.5], 'mod_floor');
    expectSameFloats(run('min').subarray(13, 15), [NaN, NaN], 'min');
    expectSameFloats(run('max').subarray(9, 13), [5.5, 2, 5.5, -2], 'max');
  });

  it('integer pow, floor modulo, division, shifts and comparisons are exact', () => {
    const run = (op: BinaryOp, a: Int32Array, b: Int32Array) => Array.from(i32View(runZip(zipKernel('i32', 'i32', op, 'i32'), a, b, a.length, a.length * 4), a.length));
    const base = Int32Array.from([3, -3, 2, -1, -1, 0, 5, 1, 2]);
    const exponent = Int32Array.from([4, 3, 31, 5, -3, 0, 0, -4, -1]);
    expect(run('pow', base, exponent)).toEqual([81, -27, -2147483648, -1, -1, 1, 1, 1, 0]);
    // No zero divisors: integer division by zero is undefined in SPIR-V.
    const a = Int32Array.from([7, 7, -7, -7, -2147483648, 0]);
    const b = Int32Array.from([3, -3, 3, -3, 2, 5]);
    expect(run('mod_floor', a, b)).toEqual([1, -2, 2, -1, 0, 0]);
    expect(run('rem', a, b)).toEqual([1, 1, -1, -1, 0, 0]);
    expect(run('div', a, b)).toEqual([2, -2, -2, 2, -1073741824, 0]);
    expect(run('shr', a, Int32Array.from([1, 33, 1, 0, 2, 31]))).toEqual([3, 3, -4, -7, -536870912, 0]);
    expect(run('lt', a, b)).toEqual([0, 0, 1, 1, 1, 1]);
    const wide = BigInt64Array.from([1n, -8n, 1n, -8n]);
    const amount = BigInt64Array.from([33n, 40n, 3n, 1n]);
    const shl = new BigInt64Array(runZip(zipKernel('i64', 'i64', 'shl', 'i64'), wide, amount, 4, 32).buffer, 0, 4);
    expect(Array.from(shl)).toEqual([0n, 0n, 8n, -16n]); // narrowed: bits beyond 32 are gone
    const shr = new BigInt64Array(runZip(zipKernel('i64', 'i64', 'shr', 'i64'), wide, amount, 4, 32).buffer, 0, 4);
    expect(Array.from(shr)).toEqual([0n, -1n, 0n, -4n]);
  });

  it('runs a CPU-strategy kernel: loops over rows with an accumulator, one invocation per workgroup', () => {
    const rows = 10;
    const cols = 7;
    const row: Expr = { k: 'var', name: 'row', t: 'i32' };
    const j: Expr = { k: 'var', name: 'j', t: 'i32' };
    const acc: Expr = { k: 'var', name: 'acc', t: 'f32' };
    const body: Stmt[] = [{
      k: 'for', v: 'row', start: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'wgid', dim: 0 }, b: c32(4) },
      end: { k: 'binary', op: 'min', t: 'i32', a: c32(rows), b: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'binary', op: 'add', t: 'i32', a: { k: 'wgid', dim: 0 }, b: c32(1) }, b: c32(4) } }, step: 1,
      body: [
        { k: 'var', name: 'acc', value: { k: 'const', t: 'f32', v: 0 } },
        {
          k: 'for', v: 'j', start: c32(0), end: c32(cols), step: 1, body: [{
            k: 'if', cond: { k: 'binary', op: 'eq', t: 'i32', a: { k: 'binary', op: 'rem', t: 'i32', a: j, b: c32(2) }, b: c32(0) },
            then: [{ k: 'assign', name: 'acc', value: { k: 'binary', op: 'add', t: 'f32', a: acc, b: { k: 'load', binding: 0, index: { k: 'binary', op: 'add', t: 'i32', a: { k: 'binary', op: 'mul', t: 'i32', a: row, b: c32(cols) }, b: j }, t: 'f32' } } }],
            else: [{ k: 'assign', name: 'acc', value: { k: 'binary', op: 'sub', t: 'f32', a: acc, b: { k: 'const', t: 'f32', v: 0.5 } } }],
          }],
        },
        { k: 'store', binding: 1, index: row, value: acc },
      ],
    }];
    const kernel: Kernel = {
      name: 'rows', bindings: [{ name: 'x', dtype: 'f32', access: 'read' }, { name: 'y', dtype: 'f32', access: 'write' }],
      numParams: 0, workgroupCount: [c32(3), c32(1), c32(1)], workgroupSize: [1, 1, 1], body,
    };
    const x = Float32Array.from({ length: rows * cols }, (_, i) => i);
    const out = f32View(runOnVulkan([bytes(x), rows * 4], [{ code: emitSpirvExecutable([kernel]).code, entry: 'rows', groups: [3, 1, 1], bindings: [0, 1] }], [1])[0]!, rows);
    const want = Array.from({ length: rows }, (_, r) => {
      let s = 0;
      for (let c = 0; c < cols; c++) s = c % 2 === 0 ? s + x[r * cols + c]! : s - 0.5;
      return s;
    });
    expect(Array.from(out)).toEqual(want);
  });
});

/** erf to double precision (series below 3, continued fraction above). */
function erfReference(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f));
}

// ---- the ONNX conformance models, region by region ----

interface Selected {
  readonly name: string;
  readonly mod: IRModule;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** ONNX 1.12 stores bf16 test data as u16 bits: reinterpret as the graph declares. */
function asDeclared(t: Tensor, v: Value | undefined): Tensor {
  return v?.type.dtype === 'bf16' && t.dtype === 'u16' ? new Tensor('bf16', t.shape, t.data) : t;
}

const notRun = new Map<string, number>();
const skipCase = (why: string): void => {
  notRun.set(why, (notRun.get(why) ?? 0) + 1);
};

async function selectCases(): Promise<Selected[]> {
  if (RUNNER === undefined || !existsSync(NODE_TESTS_DIR)) return [];
  const status = JSON.parse(readFileSync(new URL('../conformance/status-ref.json', import.meta.url), 'utf8')) as Record<string, { status: string }>;
  const filter = process.env['SPIRV_VULKAN_CASES'] ? new RegExp(process.env['SPIRV_VULKAN_CASES']) : undefined;
  const selected: Selected[] = [];
  for (const c of listCases(NODE_TESTS_DIR, filter)) {
    if (status[c.name]?.status !== 'pass') continue; // the reference itself does not pass it
    const set = c.dataSets[0];
    if (!set) continue;
    try {
      const mod = runPipeline(await importModel(readFileSync(c.modelPath), { path: c.modelPath }), 'fold');
      selected.push({ name: c.name, mod, inputs: set.inputs, outputs: set.outputs });
    } catch {
      skipCase('import');
    }
  }
  return selected;
}

const STRATEGIES: Readonly<Record<string, (r: Parameters<typeof lowerRegion>[0], name: string) => Kernel>> = { gpu: lowerRegionGpu, cpu: lowerRegion };
const strategies = (process.env['SPIRV_VULKAN_STRATEGIES'] ?? 'gpu').split(',').filter((s) => s in STRATEGIES);
const selected = await selectCases();
const ran = new Map<string, number>();

/** Runs a module's graph on Vulkan, one SPIR-V module per dispatch region; undefined when it can't. */
function runModule(sel: Selected, lower: (r: Parameters<typeof lowerRegion>[0], name: string) => Kernel): Tensor[] | undefined {
  const g = sel.mod.graph;
  let steps;
  try {
    steps = partitionGraph(sel.mod);
  } catch {
    skipCase('partition');
    return undefined;
  }
  const host = steps.find((s) => s.kind === 'host');
  if (host && host.kind === 'host') {
    skipCase(`host op ${host.node.op}`);
    return undefined;
  }
  const constants = new Map<number, string>();
  for (const n of g.nodes) if (n.op === 'constant') constants.set(n.outputs[0]!.id, n.attrs['hash'] as string);
  const buffers: (number | Uint8Array)[] = [];
  const bufferOf = new Map<number, number>();
  const sizeOf = (v: Value): number => Math.max(1, staticSize(v.type.shape as number[]) * byteSize(v.type.dtype));
  const buffer = (v: Value): number => {
    let b = bufferOf.get(v.id);
    if (b === undefined) {
      const hash = constants.get(v.id);
      b = buffers.length;
      buffers.push(hash ? bytes(sel.mod.constants.get(hash)!.load().data as ArrayBufferView) : sizeOf(v));
      bufferOf.set(v.id, b);
    }
    return b;
  };
  sel.inputs.forEach((f, i) => {
    const b = buffer(g.inputs[i]!);
    buffers[b] = bytes(asDeclared(readTensorProtoFile(f), g.inputs[i]).data as ArrayBufferView);
  });
  const dispatches: Dispatch[] = [];
  for (const step of steps) {
    if (step.kind === 'alias') {
      bufferOf.set(step.output.id, buffer(step.input));
      continue;
    }
    if (step.kind !== 'dispatch') continue;
    let kernel: Kernel;
    try {
      kernel = lower(step.region, `dispatch_${dispatches.length}`);
    } catch {
      skipCase('lowering');
      return undefined;
    }
    if (hasVectorStatements(kernel.body)) {
      skipCase('CPU SIMD kernel');
      return undefined;
    }
    const groups = kernel.workgroupCount.map((e) => (e.k === 'const' ? Number(e.v) : 1)) as [number, number, number];
    const bindings = [...step.region.inputs, step.region.output].map(buffer);
    dispatches.push({ code: emitSpirvExecutable([kernel]).code, entry: kernel.name, groups, bindings });
  }
  const outputs = g.outputs.map(buffer);
  const raw = runOnVulkan(buffers, dispatches, outputs);
  return g.outputs.map((v, i) => {
    const shape = v.type.shape as number[];
    const t = Tensor.zeros(v.type.dtype, shape);
    bytes(t.data as ArrayBufferView).set(raw[i]!.subarray(0, staticSize(shape) * byteSize(v.type.dtype)));
    return t;
  });
}

/** Whether a kernel holds f32x4 statements (CPU SIMD strategies), which GPU emitters reject. */
function hasVectorStatements(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.k === 'vlet' || s.k === 'vstore' || s.k === 'vunpack'
    || (s.k === 'for' && hasVectorStatements(s.body)) || (s.k === 'if' && (hasVectorStatements(s.then) || hasVectorStatements(s.else ?? []))));
}

afterAll(() => {
  if (RUNNER === undefined) return;
  const reasons = Object.fromEntries([...notRun].sort((a, b) => b[1] - a[1]));
  console.log(`SPIR-V on Vulkan, conformance models: ${[...ran].map(([s, n]) => `${n} matched with the ${s} strategy`).join(', ') || 'none run'}; not run:`, reasons);
});

describe.skipIf(RUNNER === undefined)('SPIR-V on Vulkan: ONNX conformance models match their expected outputs', () => {
  it.skipIf(selected.length > 0)('has conformance models', () => {
    expect(existsSync(NODE_TESTS_DIR)).toBe(false);
  });
  for (const strategy of strategies) {
    it.each(selected.map((s) => [s.name, s] as const))(`${strategy}: %s`, (_name, sel) => {
      const actual = runModule(sel, STRATEGIES[strategy]!);
      if (!actual) return;
      sel.outputs.forEach((f, i) => {
        const want = asDeclared(readTensorProtoFile(f), sel.mod.graph.outputs[i]);
        const r = compareTensors(actual[i]!, want);
        expect(r.ok ? 'ok' : `output ${i}: ${r.reason}`).toBe('ok');
      });
      ran.set(strategy, (ran.get(strategy) ?? 0) + 1);
    });
  }
});

// ---- workgroup memory: the tiled matmul and tree reduction strategies ----

/** Runs a one-region module's kernel (GPU strategy) on Vulkan and compares with the interpreter. */
function agreesOnVulkan(built: BuiltModule, tuning: Parameters<typeof lowerRegionGpu>[2] = {}): void {
  const steps = partitionGraph(built.mod).filter((st) => st.kind === 'dispatch');
  expect(steps.length).toBe(1);
  const region = steps[0]!.kind === 'dispatch' ? steps[0]!.region : undefined;
  const kernel = lowerRegionGpu(region!, 'wg', tuning);
  expect(kernel.shared?.length ?? 0).toBeGreaterThan(0);
  const g = built.mod.graph;
  const buffers: (number | Uint8Array)[] = region!.inputs.map((v) => {
    const at = g.inputs.indexOf(v);
    if (at < 0) throw new Error('region reads a non-input');
    return bytes(built.inputs[at]!.data as ArrayBufferView);
  });
  const out = region!.output;
  buffers.push(Math.max(4, staticSize(out.type.shape as number[]) * byteSize(out.type.dtype)));
  const groups = kernel.workgroupCount.map((e) => Number((e as { v: number }).v)) as [number, number, number];
  const [raw] = runOnVulkan(buffers, [{ code: emitSpirvExecutable([kernel]).code, entry: 'wg', groups, bindings: buffers.map((_, i) => i) }], [buffers.length - 1]);
  const got = Tensor.zeros(out.type.dtype, out.type.shape as number[]);
  bytes(got.data as ArrayBufferView).set(raw!.subarray(0, staticSize(out.type.shape as number[]) * byteSize(out.type.dtype)));
  const r = compareTensors(got, interpretModule(built.mod, built.inputs)[0]!);
  expect(r.ok ? 'ok' : r.reason).toBe('ok');
}

const seeded = (shape: number[], seed: number): Tensor => {
  let x = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.fromNumbers('f32', shape, Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1));
};

describe.skipIf(RUNNER === undefined)('SPIR-V on Vulkan: workgroup memory and barriers', () => {
  it('tiled matmul: odd sizes, register tiles, batches, epilogue', async () => {
    await initHashing();
    for (const r of [1, 4]) {
      agreesOnVulkan(buildModule([seeded([37, 53], 1), seeded([53, 29], 2), seeded([29], 3)], (g, [a, b, c]) => [g.op1('tanh', [g.op1('add', [g.op1('matmul', [a!, b!]), c!])])]), { matmulRegisterTile: r });
      agreesOnVulkan(buildModule([seeded([3, 17, 70], 4), seeded([3, 70, 23], 5)], (g, [a, b]) => [g.op1('matmul', [a!, b!])]), { matmulRegisterTile: r });
    }
  });

  it('tree reduction: sum, max, mean over long rows', async () => {
    await initHashing();
    for (const op of ['reduce_sum', 'reduce_max', 'reduce_mean']) {
      agreesOnVulkan(buildModule([seeded([7, 300], 6)], (g, [x]) => [g.op1(op, [g.op1('exp', [x!]), g.constant(Tensor.fromBigInts('i64', [1], [-1n]), 'axes')], { keepdims: 0 })]));
    }
  });
});

describe.skipIf(RUNNER !== undefined)('SPIR-V on Vulkan', () => {
  it(`is skipped: ${'unavailable' in runner ? runner.unavailable : 'the runner is available'}`, () => {
    expect(RUNNER).toBeUndefined();
  });
});
