import type { HalBuffer, HalDevice } from '../hal/types.js';
import { IreetsError } from '../util/errors.js';
import { initHashing } from '../util/hash.js';
import { META } from '../vm/hal-imports.js';
import { VmInstance } from '../vm/interpreter.js';
import type { TensorSignature, VmExport, VmModule } from '../vm/module.js';
import { readModule } from '../vm/module-reader.js';
import { readArchive, type ParameterArchive } from '../vm/parameter-archive.js';
import { bindHalImports } from './hal-bindings.js';
import { bytesOf, elementBytes, typedArrayFromBytes, type RuntimeTensor } from './tensor.js';

/** A parameter archive's bytes, and its name for errors. */
export interface ModuleParameters {
  bytes: Uint8Array;
  name: string;
  /**
   * The archive as read and checked from `bytes` (readParameters): sessions loaded with it skip
   * reading and checksumming the whole archive again.
   */
  archive?: ParameterArchive;
}

/** `parameters` with their archive read and checked once, for loading several sessions from them. */
export function readParameters(parameters: ModuleParameters): ModuleParameters & { archive: ParameterArchive } {
  return { ...parameters, archive: parameters.archive ?? readArchive(parameters.bytes, parameters.name) };
}

/**
 * A module loaded on a device: validated, executables and constants resident, ready to call.
 * This is what a deployed application imports (it never loads the compiler).
 */
export class Session {
  private constructor(
    readonly module: VmModule,
    readonly device: HalDevice,
    private readonly vm: VmInstance,
    private readonly main: VmExport,
    private readonly resident: unknown[],
  ) {}

  private closed = false;

  /**
   * Loads a module from its bytes. A module whose weights live in a parameter archive (compiled
   * with `--weights external`) needs the archive's bytes too: `parameters` (see loadModuleFiles).
   */
  static async load(bytes: Uint8Array, device: HalDevice, name = 'module', parameters?: ModuleParameters): Promise<Session> {
    await initHashing();
    const mod = readModule(bytes, name, parameters && (parameters.archive ?? readArchive(parameters.bytes, parameters.name)));
    // A module carries one host program per target: take the first whose executables this device loads.
    const mains = mod.exports.filter((e) => e.name === 'main');
    const main = mains.find((e) => (mod.metadata[META.formats(e.target ?? '')] ?? '').split(',').filter(Boolean).every((f) => device.formats.includes(f)));
    if (!main) {
      const targets = mains.map((e) => e.target ?? '?').join(', ') || 'none';
      throw new IreetsError('INPUT_INVALID', `module was compiled for ${targets}; device ${device.driver} runs ${device.formats.join(', ')} executables (recompile with --target for it)`, name);
    }
    const vm = new VmInstance(mod, bindHalImports(mod, device));
    const init = Number(mod.metadata[META.initFunction(main.target ?? '')]);
    const resident = Number.isInteger(init) ? await vm.invoke(init, []) : [];
    return new Session(mod, device, vm, main, resident);
  }

  /**
   * Gives the module's resident buffers (its weights) back to the device. The device outlives
   * sessions; a process loading many modules in turn (the autotuner) must close each one.
   * The session cannot run afterwards.
   */
  close(): void {
    for (const r of this.resident.splice(0)) {
      if (typeof r === 'object' && r !== null && 'byteLength' in r && 'usage' in r) this.device.allocator.release(r as HalBuffer);
    }
    this.closed = true;
  }

  get inputs(): readonly TensorSignature[] {
    return this.main.inputs;
  }
  get outputs(): readonly TensorSignature[] {
    return this.main.outputs;
  }

  /** Runs the model. Inputs in signature order, or by name. */
  async run(inputs: readonly RuntimeTensor[] | Readonly<Record<string, RuntimeTensor>>): Promise<RuntimeTensor[]> {
    if (this.closed) throw new IreetsError('INTERNAL', 'run() after close()');
    const ordered = Array.isArray(inputs)
      ? (inputs as readonly RuntimeTensor[])
      : this.inputs.map((sig) => {
        const t = (inputs as Record<string, RuntimeTensor>)[sig.name];
        if (!t) throw new IreetsError('INPUT_INVALID', `missing input ${sig.name}`);
        return t;
      });
    if (ordered.length !== this.inputs.length) {
      throw new IreetsError('INPUT_INVALID', `model takes ${this.inputs.length} inputs (${this.inputs.map((s) => s.name).join(', ')}), got ${ordered.length}`);
    }
    const dims = new Map<string, number>();
    ordered.forEach((t, i) => checkInput(this.inputs[i]!, t, dims));
    const buffers: HalBuffer[] = [];
    try {
      for (const t of ordered) {
        const bytes = bytesOf(t.data);
        // At least 8 and a multiple of 8: GPU drivers bind 64-bit elements in whole words.
        const b = this.device.allocator.allocate(Math.max(8, Math.ceil(bytes.length / 8) * 8), 'io');
        buffers.push(b);
        if (bytes.length > 0) await this.device.write(b, 0, bytes);
      }
      const batchSymbol = this.module.metadata[META.batchSymbol];
      const dimArgs = batchSymbol ? [dims.get(batchSymbol)!] : [];
      const results = (await this.vm.invoke(this.main.functionIndex, [...dimArgs, ...buffers, ...this.resident])) as HalBuffer[];
      const outs: RuntimeTensor[] = [];
      for (let i = 0; i < results.length; i++) {
        const sig = this.outputs[i]!;
        const shape = sig.shape.map((d) => (typeof d === 'number' ? d : dims.get(d) ?? NaN));
        const n = shape.reduce((a, b) => a * b, 1);
        const bytes = await this.device.read(results[i]!, 0, n * elementBytes(sig.dtype));
        this.device.allocator.release(results[i]!);
        outs.push({ dtype: sig.dtype, shape, data: typedArrayFromBytes(sig.dtype, bytes) });
      }
      return outs;
    } finally {
      for (const b of buffers) this.device.allocator.release(b);
    }
  }
}

function checkInput(sig: TensorSignature, t: RuntimeTensor, dims: Map<string, number>): void {
  const bad = (msg: string): never => {
    throw new IreetsError('INPUT_INVALID', msg, `input ${sig.name}`);
  };
  if (t.dtype !== sig.dtype) bad(`expected dtype ${sig.dtype}, got ${t.dtype}`);
  if (t.shape.length !== sig.shape.length) bad(`expected shape [${sig.shape.join(',')}], got [${t.shape.join(',')}]`);
  sig.shape.forEach((d, i) => {
    const got = t.shape[i]!;
    if (typeof d === 'number') {
      if (d !== got) bad(`expected shape [${sig.shape.join(',')}], got [${t.shape.join(',')}] (dim ${i})`);
    } else if (dims.has(d) && dims.get(d) !== got) {
      bad(`dim ${d} is ${dims.get(d)} from an earlier input but ${got} here`);
    } else {
      dims.set(d, got);
    }
  });
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) bad(`shape [${t.shape.join(',')}] needs ${n} elements, data has ${t.data.length}`);
}
