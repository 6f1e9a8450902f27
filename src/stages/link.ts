// Link: the host program (VM bytecode that allocates, records dispatches and copies, runs
// control flow, submits and waits), the executables and the constants become one module.
import type { Graph, IRModule, Node, Value } from '../ir/graph.js';
import type { Step } from '../ir/partition.js';
import { valueBytes, type BindingRef, type Placement, type Schedule } from '../codegen/schedule.js';
import { IreetsError } from '../util/errors.js';
import { BytecodeBuilder, iReg, rReg, type Reg } from '../vm/bytecode-builder.js';
import { dispatchImport, HAL_IMPORTS, META } from '../vm/hal-imports.js';
import { ModuleAssembler } from '../vm/module-assembler.js';
import type { TensorSignature, VmExecutable, VmModule } from '../vm/module.js';
import { Op } from '../vm/opcodes.js';

export interface LinkedDispatch {
  /** Index into `executables`. */
  executable: number;
  entryPoint: number;
  /** Workgroup counts; a z of -1 stands for the batch size. */
  workgroups: readonly [number, number, number];
}

/** A graph compiled for the host program: its steps, their dispatches, and compiled regions of control-flow steps. */
export interface CompiledGraph {
  graph: Graph;
  steps: Step[];
  dispatches: Map<number, LinkedDispatch>;
  regions: Map<number, CompiledGraph[]>;
}

/** One target's share of a module: its host program's graph, buffer plan and executables. */
export interface TargetProgram {
  target: string;
  main: CompiledGraph;
  schedule: Schedule;
  executables: readonly VmExecutable[];
}

export interface LinkInput {
  mod: IRModule;
  /** One host program per target; a module may carry several (`--target cpu,webgpu`). */
  programs: readonly TargetProgram[];
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

/** A buffer range as the host program sees it: a register and a byte offset (per sample when scaled). */
interface BufRef {
  reg: Reg;
  offset: number;
  length: number;
  /** Offset / length are per sample: multiply by the batch size. */
  scaleOffset: boolean;
  scaleLength: boolean;
}

type ImportDesc = { name: string; params: readonly ('i' | 'r')[]; results: readonly ('i' | 'r')[] };

/**
 * Bytes to allocate for a value: at least 8 and a multiple of 8, because GPU drivers bind 64-bit
 * elements in whole 8-byte words (an empty or one-word tensor still binds 8 bytes).
 */
export function bufferBytes(valueBytes: number): number {
  return Math.max(8, Math.ceil(valueBytes / 8) * 8);
}

/** Integer registers below this index hold values that live across commands; above are scratch. */
const PERSISTENT_I = 256;

class HostProgramEmitter {
  readonly b = new BytecodeBuilder();
  readonly batch = iReg(0);
  readonly cb: Reg;
  private nextPersistentI = 1;
  private nextScratchI = PERSISTENT_I;
  maxI = PERSISTENT_I;
  private nextR: number;
  private readonly importIndex = new Map<string, number>();
  /** dispatchImport(n, 0) per binding count n. */
  private readonly dispatchImports = new Map<number, ImportDesc>();

  constructor(
    private readonly asm: ModuleAssembler,
    private readonly constants: readonly string[],
    firstFreeR: number,
    private readonly exeReg: (i: number) => Reg,
    private readonly constReg: (i: number) => Reg,
  ) {
    this.nextR = firstFreeR;
    this.cb = this.newR();
  }

  get numR(): number {
    return this.nextR;
  }

  newR(): Reg {
    return rReg(this.nextR++);
  }

  persistentI(): Reg {
    if (this.nextPersistentI >= PERSISTENT_I) throw new IreetsError('MODEL_UNSUPPORTED', 'control flow nests too deeply for the host program');
    return iReg(this.nextPersistentI++);
  }

  resetScratch(): void {
    this.nextScratchI = PERSISTENT_I;
  }

  imp(d: ImportDesc): number {
    // importFn answers a known name with its index; asking it first here spares copying the signature per call.
    let index = this.importIndex.get(d.name);
    if (index === undefined) {
      index = this.asm.importFn(d.name, [...d.params], [...d.results]);
      this.importIndex.set(d.name, index);
    }
    return index;
  }

  call(d: ImportDesc, args: Reg[], results: Reg[] = []): void {
    this.b.callImport(this.imp(d), args, results);
  }

  constI(v: number): Reg {
    const reg = iReg(this.nextScratchI++);
    this.maxI = Math.max(this.maxI, this.nextScratchI);
    this.b.constI(reg.index, v);
    return reg;
  }

  /** `v`, or `v × batch` for per-sample quantities. */
  scaled(v: number, perSample: boolean): Reg {
    const reg = this.constI(v);
    if (perSample) this.b.binaryI(Op.MulI, reg.index, reg.index, this.batch.index);
    return reg;
  }

  allocate(bytes: Reg | number, into: Reg): void {
    this.call(HAL_IMPORTS.allocate, [typeof bytes === 'number' ? this.constI(bytes) : bytes], [into]);
  }

  /** Submits what was recorded, waits, and starts a new command buffer. */
  flush(): void {
    this.call(HAL_IMPORTS.submitAndWait, [this.cb]);
    this.call(HAL_IMPORTS.createCommandBuffer, [], [this.cb]);
  }

  barrier(): void {
    this.call(HAL_IMPORTS.barrier, [this.cb]);
  }

  copy(from: BufRef, to: BufRef, length: BufRef['length'], scaleLength: boolean, dstOffset?: Reg): void {
    this.resetScratch();
    this.call(HAL_IMPORTS.copy, [
      this.cb, from.reg, this.scaled(from.offset, from.scaleOffset),
      to.reg, dstOffset ?? this.scaled(to.offset, to.scaleOffset), this.scaled(length, scaleLength),
    ]);
  }

  dispatch(d: LinkedDispatch, bindings: readonly BufRef[]): void {
    this.resetScratch();
    const [wx, wy, wz] = d.workgroups;
    const z = wz < 0 ? this.batch : this.constI(wz);
    const args: Reg[] = [this.cb, this.exeReg(d.executable), this.constI(d.entryPoint), this.constI(wx), this.constI(wy), z];
    for (const bind of bindings) {
      args.push(bind.reg, this.scaled(bind.offset, bind.scaleOffset), this.scaled(bind.length, bind.scaleLength));
    }
    let desc = this.dispatchImports.get(bindings.length);
    if (!desc) this.dispatchImports.set(bindings.length, (desc = dispatchImport(bindings.length, 0)));
    this.call(desc, args);
  }

  /** Runs a region graph (a branch or a loop body) with `env` for outer values and its inputs. */
  emitBlock(cg: CompiledGraph, env: Map<number, BufRef>, outputsTo: readonly BufRef[]): void {
    const locals: Reg[] = [];
    const local = (v: Value): BufRef => {
      const reg = this.newR();
      locals.push(reg);
      this.resetScratch();
      this.allocate(bufferBytes(valueBytes(v)), reg);
      const ref = { reg, offset: 0, length: valueBytes(v), scaleOffset: false, scaleLength: false };
      env.set(v.id, ref);
      return ref;
    };
    this.emitConstants(cg.graph, env);
    cg.steps.forEach((s, i) => {
      if (s.kind === 'alias') {
        env.set(s.output.id, { ...this.ref(env, s.input), length: valueBytes(s.output) });
      } else if (s.kind === 'dispatch') {
        const out = local(s.region.output);
        this.barrier();
        this.dispatch(cg.dispatches.get(i)!, [...s.region.inputs.map((v) => this.ref(env, v)), out]);
      } else {
        const outs = s.node.outputs.map(local);
        this.barrier();
        this.emitControl(s.node, cg.regions.get(i)!, env, outs);
      }
    });
    this.barrier();
    cg.graph.outputs.forEach((v, k) => {
      const from = this.ref(env, v);
      this.copy(from, outputsTo[k]!, from.length, false);
    });
    this.flush();
    for (const r of locals) this.call(HAL_IMPORTS.release, [r]);
  }

  /** Constants a region defines itself reach it as the module's constant buffers. */
  private emitConstants(g: Graph, env: Map<number, BufRef>): void {
    for (const n of g.nodes) {
      if (n.op !== 'constant') continue;
      const index = this.constants.indexOf(n.attrs['hash'] as string);
      if (index < 0) throw new IreetsError('INTERNAL', `constant ${n.attrs['hash'] as string} missing from the module`);
      env.set(n.outputs[0]!.id, { reg: this.constReg(index), offset: 0, length: valueBytes(n.outputs[0]!), scaleOffset: false, scaleLength: false });
    }
  }

  ref(env: Map<number, BufRef>, v: Value): BufRef {
    const r = env.get(v.id);
    if (!r) throw new IreetsError('INTERNAL', `host program has no buffer for %${v.name}`);
    return r;
  }

  emitControl(node: Node, regions: readonly CompiledGraph[], env: Map<number, BufRef>, outs: readonly BufRef[]): void {
    if (node.op === 'if') this.emitIf(node, regions, env, outs);
    else if (node.op === 'loop') this.emitLoop(node, regions[0]!, env, outs);
    else throw new IreetsError('MODEL_UNSUPPORTED', `${node.op} is not supported in the host program yet`, node.origin ? `node "${node.origin}" (${node.op})` : node.op);
  }

  private emitIf(node: Node, regions: readonly CompiledGraph[], env: Map<number, BufRef>, outs: readonly BufRef[]): void {
    const cond = this.ref(env, node.inputs[0]!);
    this.flush();
    this.resetScratch();
    const c = this.persistentI();
    this.call(HAL_IMPORTS.loadU8, [cond.reg, this.constI(cond.offset)], [c]);
    const thenLabel = this.b.label();
    const end = this.b.label();
    this.b.brIf(c.index, thenLabel);
    this.emitBlock(regions[1]!, new Map(env), outs);
    this.b.br(end);
    this.b.bind(thenLabel);
    this.emitBlock(regions[0]!, new Map(env), outs);
    this.b.bind(end);
  }

  private emitLoop(node: Node, body: CompiledGraph, env: Map<number, BufRef>, outs: readonly BufRef[]): void {
    const [maxTrip, condIn, ...initial] = node.inputs;
    const nCarried = initial.length;
    const bodyInputs = body.graph.inputs;
    const bodyOutputs = body.graph.outputs;
    // Loop state: iteration number and condition as device scalars, carried values ping-ponged by copy.
    const scalar = (bytes: number): BufRef => {
      const reg = this.newR();
      this.resetScratch();
      this.allocate(bufferBytes(bytes), reg);
      return { reg, offset: 0, length: bytes, scaleOffset: false, scaleLength: false };
    };
    const iterBuf = scalar(8);
    const condBuf = scalar(1);
    const carried = initial.map((v) => scalar(valueBytes(v!)));
    initial.forEach((v, k) => this.copy(this.ref(env, v!), carried[k]!, valueBytes(v!), false));
    this.flush();
    this.resetScratch();
    const trips = this.persistentI();
    const c = this.persistentI();
    const i = this.persistentI();
    if (maxTrip) {
      const m = this.ref(env, maxTrip);
      this.call(HAL_IMPORTS.loadI64, [m.reg, this.constI(m.offset)], [trips]);
    } else {
      this.b.constI(trips.index, Number.MAX_SAFE_INTEGER);
    }
    if (condIn) {
      const cr = this.ref(env, condIn);
      this.call(HAL_IMPORTS.loadU8, [cr.reg, this.constI(cr.offset)], [c]);
    } else {
      this.b.constI(c.index, 1);
    }
    this.b.constI(i.index, 0);
    const top = this.b.label();
    const exit = this.b.label();
    this.b.bind(top);
    this.resetScratch();
    const more = this.constI(0);
    this.b.binaryI(Op.CmpLtI, more.index, i.index, trips.index);
    const zero = this.constI(0);
    this.b.binaryI(Op.CmpNeI, zero.index, c.index, zero.index);
    this.b.binaryI(Op.MinI, more.index, more.index, zero.index);
    const stop = this.constI(0);
    this.b.binaryI(Op.CmpEqI, stop.index, more.index, stop.index);
    this.b.brIf(stop.index, exit);
    this.call(HAL_IMPORTS.storeI64, [iterBuf.reg, this.constI(0), i]);
    this.call(HAL_IMPORTS.storeU8, [condBuf.reg, this.constI(0), c]);
    const bodyEnv = new Map(env);
    bodyEnv.set(bodyInputs[0]!.id, iterBuf);
    bodyEnv.set(bodyInputs[1]!.id, condBuf);
    for (let k = 0; k < nCarried; k++) bodyEnv.set(bodyInputs[2 + k]!.id, carried[k]!);
    // Body outputs: cond, carried…, scan outputs…; scan slice k of iteration i goes to outs[nCarried + k] at i × slice bytes.
    const condOut = scalar(1);
    const carriedOut = bodyOutputs.slice(1, 1 + nCarried).map((v) => scalar(valueBytes(v)));
    const scanOut = bodyOutputs.slice(1 + nCarried).map((v) => scalar(valueBytes(v)));
    this.emitBlock(body, bodyEnv, [condOut, ...carriedOut, ...scanOut]);
    carriedOut.forEach((r, k) => this.copy(r, carried[k]!, r.length, false));
    scanOut.forEach((r, k) => {
      this.resetScratch();
      const at = this.constI(r.length);
      this.b.binaryI(Op.MulI, at.index, at.index, i.index);
      const dst = outs[nCarried + k]!;
      if (dst.offset !== 0) {
        const base = this.constI(dst.offset);
        this.b.binaryI(Op.AddI, at.index, at.index, base.index);
      }
      this.call(HAL_IMPORTS.copy, [this.cb, r.reg, this.constI(0), dst.reg, at, this.constI(r.length)]);
    });
    this.flush();
    this.resetScratch();
    this.call(HAL_IMPORTS.loadU8, [condOut.reg, this.constI(0)], [c]);
    for (const r of [condOut, ...carriedOut, ...scanOut]) this.call(HAL_IMPORTS.release, [r.reg]);
    const one = this.constI(1);
    this.b.binaryI(Op.AddI, i.index, i.index, one.index);
    this.b.br(top);
    this.b.bind(exit);
    carried.forEach((r, k) => this.copy(r, outs[k]!, r.length, false));
    this.flush();
    for (const r of [iterBuf, condBuf, ...carried]) this.call(HAL_IMPORTS.release, [r.reg]);
  }
}

export function linkModule(input: LinkInput): VmModule {
  const { mod } = input;
  const asm = new ModuleAssembler();
  for (const [k, v] of Object.entries(mod.metadata)) asm.metadata[`onnx.${k}`] = v;
  const constants = input.programs[0]!.schedule.constants;
  for (const p of input.programs) {
    if (p.schedule.constants.join() !== constants.join()) throw new IreetsError('INTERNAL', `target ${p.target} orders constants differently`);
  }
  // Constants are shared by every target's program; executables belong to one target each.
  const rodata = constants.map((h) => asm.addRodata(input.constantBytes(h)));
  asm.metadata[META.targets] = input.programs.map((p) => p.target).join(',');
  for (const program of input.programs) linkProgram(asm, input, program, rodata);
  if (input.batchSymbol) asm.metadata[META.batchSymbol] = input.batchSymbol;
  return asm.finish();
}

/** `__init$<target>` (loads executables and constants) and `main` for one target. */
function linkProgram(asm: ModuleAssembler, input: LinkInput, program: TargetProgram, rodata: readonly number[]): void {
  const { mod } = input;
  const { schedule, target } = program;
  const exeIndex = program.executables.map((e) => asm.addExecutable(e));
  const nExe = program.executables.length;
  const nConst = rodata.length;
  asm.metadata[META.formats(target)] = [...new Set(program.executables.map((e) => e.format))].join(',');

  // __init() -> (executables..., constant buffers...)
  {
    const b = new BytecodeBuilder();
    const results: Reg[] = [];
    let r = 0;
    const loadExe = asm.importFn(HAL_IMPORTS.loadExecutable.name, [...HAL_IMPORTS.loadExecutable.params], [...HAL_IMPORTS.loadExecutable.results]);
    const constBuf = asm.importFn(HAL_IMPORTS.constantBuffer.name, [...HAL_IMPORTS.constantBuffer.params], [...HAL_IMPORTS.constantBuffer.results]);
    program.executables.forEach((_, i) => {
      b.constI(0, exeIndex[i]!);
      b.callImport(loadExe, [iReg(0)], [rReg(r)]);
      results.push(rReg(r++));
    });
    rodata.forEach((seg) => {
      b.constRodata(r, seg);
      b.callImport(constBuf, [rReg(r)], [rReg(r)]);
      results.push(rReg(r++));
    });
    b.ret(results);
    const init = asm.addFunction(`__init$${target}`, [], results.map(() => 'r'), 1, Math.max(1, r), b);
    asm.metadata[META.initFunction(target)] = String(init);
  }

  // main([batch], inputs..., executables..., constants...) -> (outputs...)
  const nIn = mod.graph.inputs.length;
  const nOut = mod.graph.outputs.length;
  const exeReg = (i: number): Reg => rReg(nIn + i);
  const constReg = (i: number): Reg => rReg(nIn + nExe + i);
  const h = new HostProgramEmitter(asm, schedule.constants, nIn + nExe + nConst, exeReg, constReg);
  const b = h.b;
  const arena = h.newR();
  const batchArena = h.newR();
  const outputs = Array.from({ length: nOut }, () => h.newR());
  if (!input.batchSymbol) b.constI(h.batch.index, 1);
  const bufferOf = (p: Placement): Reg => {
    switch (p.kind) {
      case 'input': return rReg(p.index);
      case 'constant': return constReg(p.index);
      case 'arena': return arena;
      case 'batch-arena': return batchArena;
      case 'output': return outputs[p.index]!;
    }
  };
  const toBuf = (r: BindingRef): BufRef => ({
    reg: bufferOf(r.placement), offset: r.placement.offset, length: r.length,
    scaleOffset: r.placement.kind === 'batch-arena', scaleLength: r.batched,
  });
  const env = new Map<number, BufRef>();
  for (const [id, r] of schedule.placements) env.set(id, toBuf(r));

  h.resetScratch();
  if (schedule.arenaBytes > 0) h.allocate(h.scaled(schedule.arenaBytes, false), arena);
  else b.constNull(arena.index);
  if (schedule.batchArenaBytes > 0) h.allocate(h.scaled(schedule.batchArenaBytes, true), batchArena);
  else b.constNull(batchArena.index);
  outputs.forEach((o, i) => {
    h.resetScratch();
    h.allocate(h.scaled(bufferBytes(schedule.outputBytes[i]!), schedule.outputBatched[i]!), o);
  });
  h.call(HAL_IMPORTS.createCommandBuffer, [], [h.cb]);
  const main = program.main;
  for (const op of schedule.ops) {
    if (op.barrierBefore) h.barrier();
    if (op.kind === 'copy') {
      const from = toBuf(op.from);
      h.copy(from, toBuf(op.to), op.from.length, op.from.batched);
      continue;
    }
    const step = main.steps[op.step]!;
    if (op.kind === 'dispatch' && step.kind === 'dispatch') {
      h.dispatch(main.dispatches.get(op.step)!, [...step.region.inputs, step.region.output].map((v) => h.ref(env, v)));
    } else if (step.kind === 'host') {
      h.emitControl(step.node, main.regions.get(op.step)!, env, step.node.outputs.map((v) => h.ref(env, v)));
    }
  }
  h.call(HAL_IMPORTS.submitAndWait, [h.cb]);
  if (schedule.arenaBytes > 0) h.call(HAL_IMPORTS.release, [arena]);
  if (schedule.batchArenaBytes > 0) h.call(HAL_IMPORTS.release, [batchArena]);
  b.ret(outputs);
  const params: ('i' | 'r')[] = [...(input.batchSymbol ? ['i' as const] : []), ...Array<'r'>(nIn + nExe + nConst).fill('r')];
  const fn = asm.addFunction(`main$${target}`, params, outputs.map(() => 'r'), h.maxI, h.numR, b);
  asm.exports.push({ name: 'main', target, functionIndex: fn, inputs: input.signature.inputs, outputs: input.signature.outputs });
}
