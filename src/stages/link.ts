// Link: the host program (VM bytecode that allocates, records dispatches and copies, submits
// and waits), the executables and the constants become one module.
import type { IRModule } from '../ir/graph.js';
import type { Schedule, Placement } from '../codegen/schedule.js';
import { BytecodeBuilder, iReg, rReg, type Reg } from '../vm/bytecode-builder.js';
import { dispatchImport, HAL_IMPORTS, META } from '../vm/hal-imports.js';
import { Op } from '../vm/opcodes.js';
import { ModuleAssembler } from '../vm/module-assembler.js';
import type { TensorSignature, VmExecutable, VmModule } from '../vm/module.js';

export interface LinkedDispatch {
  /** Index into `executables`. */
  executable: number;
  entryPoint: number;
  workgroups: readonly [number, number, number];
}

export interface LinkInput {
  mod: IRModule;
  target: string;
  schedule: Schedule;
  /** One entry per dispatch op of the schedule, in order. */
  dispatches: readonly LinkedDispatch[];
  executables: readonly VmExecutable[];
  /** Constant bytes by hash (rodata). */
  constantBytes: (hash: string) => Uint8Array;
  /** The dynamic batch symbol, when the module is batch-polymorphic: `main` then takes it first. */
  batchSymbol: string | null;
  /** The model's signature with its symbolic dims (taken before batch specialization). */
  signature: { inputs: TensorSignature[]; outputs: TensorSignature[] };
}

export const signatureOf = (mod: IRModule, which: 'inputs' | 'outputs'): TensorSignature[] => {
  const values = which === 'inputs' ? mod.graph.inputs : mod.graph.outputs;
  const names = which === 'inputs' ? mod.inputNames : mod.outputNames;
  return values.map((v, i) => ({ name: names[i] ?? v.name, dtype: v.type.dtype, shape: [...(v.type.shape ?? [])] }));
};

export function linkModule(input: LinkInput): VmModule {
  const { mod, schedule } = input;
  const asm = new ModuleAssembler();
  asm.metadata[META.target] = input.target;
  for (const [k, v] of Object.entries(mod.metadata)) asm.metadata[`onnx.${k}`] = v;
  const imp = (d: { name: string; params: readonly ('i' | 'r')[]; results: readonly ('i' | 'r')[] }): number =>
    asm.importFn(d.name, [...d.params], [...d.results]);

  const exeIndex = input.executables.map((e) => asm.addExecutable(e));
  const rodata = schedule.constants.map((h) => asm.addRodata(input.constantBytes(h)));
  const nExe = input.executables.length;
  const nConst = rodata.length;

  // __init() -> (executables..., constant buffers...)
  {
    const b = new BytecodeBuilder();
    const results: Reg[] = [];
    let r = 0;
    input.executables.forEach((_, i) => {
      b.constI(0, exeIndex[i]!);
      b.callImport(imp(HAL_IMPORTS.loadExecutable), [iReg(0)], [rReg(r)]);
      results.push(rReg(r++));
    });
    rodata.forEach((seg) => {
      b.constRodata(r, seg);
      b.callImport(imp(HAL_IMPORTS.constantBuffer), [rReg(r)], [rReg(r)]);
      results.push(rReg(r++));
    });
    b.ret(results);
    const init = asm.addFunction('__init', [], results.map(() => 'r'), 1, Math.max(1, r), b);
    asm.metadata[META.initFunction] = String(init);
    asm.metadata[META.initResults] = String(results.length);
  }

  // main([batch], inputs..., executables..., constants...) -> (outputs...)
  const nIn = mod.graph.inputs.length;
  const nOut = mod.graph.outputs.length;
  const exeReg = (i: number): Reg => rReg(nIn + i);
  const constReg = (i: number): Reg => rReg(nIn + nExe + i);
  let nextR = nIn + nExe + nConst;
  const arena = rReg(nextR++);
  const batchArena = rReg(nextR++);
  const outputs = Array.from({ length: nOut }, () => rReg(nextR++));
  const cb = rReg(nextR++);
  const b = new BytecodeBuilder();
  // i0 holds the batch size (1 when the module is static); scratch integers follow.
  const batch = iReg(0);
  if (!input.batchSymbol) b.constI(batch.index, 1);
  let nextI = 1;
  let maxI = 1;
  const constI = (v: number): Reg => {
    const reg = iReg(nextI++);
    maxI = Math.max(maxI, nextI);
    b.constI(reg.index, v);
    return reg;
  };
  /** `v`, or `v × batch` for per-sample quantities. */
  const scaled = (v: number, perSample: boolean): Reg => {
    const reg = constI(v);
    if (perSample) b.binaryI(Op.MulI, reg.index, reg.index, batch.index);
    return reg;
  };
  const bufferOf = (p: Placement): Reg => {
    switch (p.kind) {
      case 'input': return rReg(p.index);
      case 'constant': return constReg(p.index);
      case 'arena': return arena;
      case 'batch-arena': return batchArena;
      case 'output': return outputs[p.index]!;
    }
  };
  const alloc = (bytes: number, perSample: boolean, into: Reg): void => {
    if (bytes > 0) b.callImport(imp(HAL_IMPORTS.allocate), [scaled(bytes, perSample)], [into]);
    else b.constNull(into.index);
  };
  alloc(schedule.arenaBytes, false, arena);
  alloc(schedule.batchArenaBytes, true, batchArena);
  outputs.forEach((o, i) => b.callImport(imp(HAL_IMPORTS.allocate), [scaled(schedule.outputBytes[i]!, schedule.outputBatched[i]!)], [o]));
  b.callImport(imp(HAL_IMPORTS.createCommandBuffer), [], [cb]);
  let d = 0;
  for (const op of schedule.ops) {
    nextI = 1; // integer registers past i0 are scratch per command
    if (op.barrierBefore) b.callImport(imp(HAL_IMPORTS.barrier), [cb], []);
    if (op.kind === 'copy') {
      const perSample = op.from.batched;
      b.callImport(imp(HAL_IMPORTS.copy), [cb, bufferOf(op.from.placement), scaled(op.from.placement.offset, op.from.placement.kind === 'batch-arena'), bufferOf(op.to.placement), constI(op.to.placement.offset), scaled(op.from.length, perSample)], []);
      continue;
    }
    const dispatch = input.dispatches[d++]!;
    const [wx, wy, wz] = dispatch.workgroups;
    // A workgroup count of -1 in z stands for the batch size.
    const z = wz < 0 ? batch : constI(wz);
    const args: Reg[] = [cb, exeReg(dispatch.executable), constI(dispatch.entryPoint), constI(wx), constI(wy), z];
    for (const bind of op.bindings) {
      args.push(bufferOf(bind.placement), scaled(bind.placement.offset, bind.placement.kind === 'batch-arena'), scaled(bind.length, bind.batched));
    }
    b.callImport(imp(dispatchImport(op.bindings.length, 0)), args, []);
  }
  b.callImport(imp(HAL_IMPORTS.submitAndWait), [cb], []);
  if (schedule.arenaBytes > 0) b.callImport(imp(HAL_IMPORTS.release), [arena], []);
  if (schedule.batchArenaBytes > 0) b.callImport(imp(HAL_IMPORTS.release), [batchArena], []);
  b.ret(outputs);
  const params: ('i' | 'r')[] = [...(input.batchSymbol ? ['i' as const] : []), ...Array<'r'>(nIn + nExe + nConst).fill('r')];
  const main = asm.addFunction('main', params, outputs.map(() => 'r'), maxI, nextR, b);
  asm.exports.push({ name: 'main', functionIndex: main, inputs: input.signature.inputs, outputs: input.signature.outputs });
  if (input.batchSymbol) asm.metadata[META.batchSymbol] = input.batchSymbol;
  return asm.finish();
}
