import type { Tensor } from '../../src/ir/tensor.js';

/**
 * A way to run ONNX models that the conformance suite can check: `ref` (import + reference
 * interpreter) today, `cpu` and `webgpu` once the compiler and runtime exist.
 */
export interface Backend {
  readonly name: string;
  /** Compiles or otherwise readies one model; errors here are recorded against the case. */
  prepare(modelBytes: Uint8Array, path: string): Promise<PreparedModel>;
}

export interface PreparedModel {
  /** Runs the model on the graph inputs in order; returns the graph outputs in order. */
  run(inputs: readonly Tensor[]): Promise<Tensor[]>;
}

/** Backends by name, loaded lazily so a backend's dependencies load only when it is used. */
const BACKENDS: Record<string, () => Promise<Backend>> = {
  ref: async () => (await import('./backends/ref.js')).refBackend,
  cpu: async () => (await import('./backends/cpu.js')).cpuBackend,
  webgpu: async () => (await import('./backends/webgpu.js')).webgpuBackend,
  // ONNX Runtime: a peer that checks the harness, not an ireets backend.
  ort: async () => (await import('./backends/ort.js')).ortBackend,
};

export const BACKEND_NAMES: readonly string[] = Object.keys(BACKENDS);

export async function loadBackend(name: string): Promise<Backend> {
  const load = BACKENDS[name];
  if (!load) throw new Error(`unknown backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  return load();
}
