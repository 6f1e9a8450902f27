// Link: the host program (VM bytecode that allocates, records dispatches and copies, submits
// and waits), the executables and the constants become one module.
import type { IRModule } from '../ir/graph.js';
import type { Schedule, Placement } from '../codegen/schedule.js';
import { BytecodeBuilder, iReg, rReg, type Reg } from '../vm/bytecode-builder.js';
import { dispatchImport, HAL_IMPORTS, META } from '../vm/hal-imports.js';
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
}

const signature = (mod: IRModule, which: 'inputs' | 'outputs'): TensorSignature[] => {
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

  // main(inputs..., executables..., constants...) -> (outputs...)
  const nIn = mod.graph.inputs.length;
  const nOut = mod.graph.outputs.length;
  const exeReg = (i: number): Reg => rReg(nIn + i);
  const constReg = (i: number): Reg => rReg(nIn + nExe + i);
  let nextR = nIn + nExe + nConst;
  const arena = rReg(nextR++);
  const outputs = Array.from({ length: nOut }, () => rReg(nextR++));
  const cb = rReg(nextR++);
  const b = new BytecodeBuilder();
  let nextI = 0;
  const constI = (v: number): Reg => {
    const reg = iReg(nextI++);
    b.constI(reg.index, v);
    return reg;
  };
  const bufferOf = (p: Placement): Reg => {
    switch (p.kind) {
      case 'input': return rReg(p.index);
      case 'constant': return constReg(p.index);
      case 'arena': return arena;
      case 'output': return outputs[p.index]!;
    }
  };
  if (schedule.arenaBytes > 0) b.callImport(imp(HAL_IMPORTS.allocate), [constI(schedule.arenaBytes)], [arena]);
  else b.constNull(arena.index);
  outputs.forEach((o, i) => b.callImport(imp(HAL_IMPORTS.allocate), [constI(schedule.outputBytes[i]!)], [o]));
  b.callImport(imp(HAL_IMPORTS.createCommandBuffer), [], [cb]);
  let d = 0;
  for (const op of schedule.ops) {
    nextI = 0; // integer registers are scratch per command
    if (op.barrierBefore) b.callImport(imp(HAL_IMPORTS.barrier), [cb], []);
    if (op.kind === 'copy') {
      b.callImport(imp(HAL_IMPORTS.copy), [cb, bufferOf(op.from.placement), constI(op.from.placement.offset), bufferOf(op.to.placement), constI(op.to.placement.offset), constI(op.from.length)], []);
      continue;
    }
    const dispatch = input.dispatches[d++]!;
    const args: Reg[] = [cb, exeReg(dispatch.executable), constI(dispatch.entryPoint), ...dispatch.workgroups.map(constI)];
    for (const bind of op.bindings) args.push(bufferOf(bind.placement), constI(bind.placement.offset), constI(bind.length));
    b.callImport(imp(dispatchImport(op.bindings.length, 0)), args, []);
  }
  b.callImport(imp(HAL_IMPORTS.submitAndWait), [cb], []);
  if (schedule.arenaBytes > 0) b.callImport(imp(HAL_IMPORTS.release), [arena], []);
  b.ret(outputs);
  const maxI = Math.max(1, 6 + 3 * Math.max(0, ...schedule.ops.map((o) => (o.kind === 'dispatch' ? o.bindings.length : 1))));
  const main = asm.addFunction('main', [...Array<'r'>(nIn + nExe + nConst).fill('r')], outputs.map(() => 'r'), maxI, nextR, b);
  asm.exports.push({ name: 'main', functionIndex: main, inputs: signature(mod, 'inputs'), outputs: signature(mod, 'outputs') });
  return asm.finish();
}
