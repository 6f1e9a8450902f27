// The SPIR-V emitter on hand-written kernels: a golden instruction sequence, module structure and
// metadata, and `spirv-val --target-env vulkan1.1` acceptance of every dtype, op, cast and
// statement form (skipped, with a message, when spirv-val is not installed).
import { describe, expect, it } from 'vitest';
import type { BinaryOp, Expr, Kernel, KernelBinding, ScalarType, Stmt, UnaryOp } from '../../src/codegen/kernel-ir.js';
import { BATCH_COUNT } from '../../src/codegen/lower-region.js';
import { disassembleSpirv, emitSpirvExecutable, validateSpirv } from '../../src/codegen/spirv/index.js';
import { Op } from '../../src/codegen/spirv/spirv-enums.js';
import type { DType } from '../../src/ir/dtype.js';
import { isIreetsError } from '../../src/util/errors.js';

const HAVE_SPIRV_VAL = validateSpirv(new Uint8Array(0)) !== undefined;
const HAVE_SPIRV_DIS = (() => {
  try {
    return disassembleSpirv(emitSpirvExecutable([]).code) !== undefined;
  } catch {
    return false;
  }
})();

const c32 = (v: number): Expr => ({ k: 'const', t: 'i32', v });
const ONE_GROUP: Kernel['workgroupCount'] = [c32(1), c32(1), c32(1)];
const idx: Expr = { k: 'var', name: 'i', t: 'i32' };
/** i = wgid.x · 64 + lid.x */
const LINEAR_ID: Stmt = {
  k: 'let', name: 'i',
  value: { k: 'binary', op: 'add', t: 'i32', a: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'wgid', dim: 0 }, b: c32(64) }, b: { k: 'lid', dim: 0 } },
};

/** GPU-style kernel: one invocation per element, `n` elements, out[i] = f(in0[i], in1[i], …). */
function elementwise(name: string, inputs: readonly DType[], out: DType, f: (loads: Expr[]) => Expr, loadTypes: readonly ScalarType[]): Kernel {
  const bindings: KernelBinding[] = [
    ...inputs.map((dtype, i) => ({ name: `in${i}`, dtype, access: 'read' as const })),
    { name: 'out', dtype: out, access: 'write' },
  ];
  const loads = inputs.map((_, b): Expr => ({ k: 'load', binding: b, index: idx, t: loadTypes[b]! }));
  return {
    name, bindings, numParams: 0, workgroupCount: ONE_GROUP, workgroupSize: [64, 1, 1],
    body: [LINEAR_ID, { k: 'if', cond: { k: 'binary', op: 'lt', t: 'i32', a: idx, b: c32(100) }, then: [{ k: 'store', binding: inputs.length, index: idx, value: f(loads) }] }],
  };
}

/** Asserts that spirv-val accepts the module of `kernels` (for Vulkan 1.1) and returns its bytes. */
function expectValid(kernels: readonly Kernel[]): Uint8Array {
  const { code } = emitSpirvExecutable(kernels);
  const r = validateSpirv(code, 'vulkan1.1');
  expect(r, 'spirv-val ran').toBeDefined();
  expect(r!.message).toBe('');
  expect(r!.valid).toBe(true);
  return code;
}

interface Instruction {
  readonly op: number;
  readonly operands: readonly number[];
}

/** The instructions of a module after its 5-word header. */
function instructions(code: Uint8Array): Instruction[] {
  const words = new Uint32Array(code.buffer, code.byteOffset, code.byteLength / 4);
  const out: Instruction[] = [];
  for (let p = 5; p < words.length;) {
    const count = words[p]! >>> 16;
    out.push({ op: words[p]! & 0xffff, operands: Array.from(words.subarray(p + 1, p + count)) });
    p += count;
  }
  return out;
}

const OP_NAMES = new Map<number, string>(Object.entries(Op).map(([k, v]) => [v, k]));

function literalString(words: readonly number[]): { text: string; words: number } {
  const bytes: number[] = [];
  for (const w of words) for (let i = 0; i < 4; i++) bytes.push((w >>> (8 * i)) & 0xff);
  const end = bytes.indexOf(0);
  return { text: new TextDecoder().decode(new Uint8Array(bytes.slice(0, end))), words: Math.floor(end / 4) + 1 };
}

/** One line per instruction: opcode name and operands, literal strings decoded. */
function listing(code: Uint8Array): string[] {
  return instructions(code).map(({ op, operands }) => {
    const name = OP_NAMES.get(op) ?? `Op${op}`;
    let text = operands.join(' ');
    if (op === Op.Name) text = `${operands[0]} "${literalString(operands.slice(1)).text}"`;
    if (op === Op.MemberName) text = `${operands[0]} ${operands[1]} "${literalString(operands.slice(2)).text}"`;
    if (op === Op.ExtInstImport) text = `${operands[0]} "${literalString(operands.slice(1)).text}"`;
    if (op === Op.EntryPoint) {
      const s = literalString(operands.slice(2));
      text = [operands[0], operands[1], `"${s.text}"`, ...operands.slice(2 + s.words)].join(' ');
    }
    return `${name} ${text}`.trim();
  });
}

describe('SPIR-V emitter: module structure', () => {
  const doubleIt = elementwise('double_it', ['f32'], 'f32', ([x]) => ({ k: 'binary', op: 'mul', t: 'f32', a: x!, b: { k: 'const', t: 'f32', v: 2 } }), ['f32']);

  it('emits the golden instruction sequence for a tiny kernel', () => {
    const code = emitSpirvExecutable([doubleIt]).code;
    const words = new Uint32Array(code.buffer, code.byteOffset, 5);
    // Magic, version 1.3, generator 0, id bound, schema 0.
    expect(Array.from(words)).toEqual([0x07230203, 0x00010300, 0, 42, 0]);
    expect(listing(code)).toEqual([
      'Capability 1', // Shader
      'MemoryModel 0 1', // Logical GLSL450
      'EntryPoint 5 7 "double_it" 12 17', // GLCompute %7, interface: WorkgroupId, LocalInvocationId
      'ExecutionMode 7 17 64 1 1', // LocalSize 64 1 1
      'Name 3 "Buffer_f32"',
      'MemberName 3 0 "data"',
      'Name 5 "double_it_in0"',
      'Name 6 "double_it_out"',
      'Name 12 "gl_WorkGroupID"',
      'Name 17 "gl_LocalInvocationID"',
      'Name 7 "double_it"',
      'Decorate 2 6 4', // runtime array: ArrayStride 4
      'Decorate 3 2', // struct: Block
      'MemberDecorate 3 0 35 0', // Offset 0
      'Decorate 5 34 0', // in0: DescriptorSet 0
      'Decorate 5 33 0', // Binding 0
      'Decorate 5 24', // NonWritable
      'Decorate 6 34 0',
      'Decorate 6 33 1',
      'Decorate 12 11 26', // BuiltIn WorkgroupId
      'Decorate 17 11 27', // BuiltIn LocalInvocationId
      'TypeFloat 1 32',
      'TypeRuntimeArray 2 1',
      'TypeStruct 3 2',
      'TypePointer 4 12 3', // StorageBuffer
      'Variable 4 5 12',
      'Variable 4 6 12',
      'TypeInt 9 32 0',
      'TypeVector 10 9 3',
      'TypePointer 11 1 10', // Input
      'Variable 11 12 1',
      'TypeInt 15 32 1',
      'Variable 11 17 1',
      'Constant 15 21 64',
      'TypePointer 24 7 15', // Function
      'Constant 15 27 100',
      'TypeBool 28',
      'TypePointer 33 12 1',
      'Constant 15 34 0',
      'Constant 1 37 1073741824', // 2.0f
      'TypeVoid 40',
      'TypeFunction 41 40',
      'Function 40 7 0 41',
      'Label 8',
      'Variable 24 25 7', // local i
      'Load 10 13 12',
      'CompositeExtract 9 14 13 0',
      'Bitcast 15 16 14', // wgid.x as i32
      'Load 10 18 17',
      'CompositeExtract 9 19 18 0',
      'Bitcast 15 20 19', // lid.x as i32
      'IMul 15 22 16 21',
      'IAdd 15 23 22 20',
      'Store 25 23',
      'Load 15 26 25',
      'SLessThan 28 29 26 27',
      'SelectionMerge 31 0',
      'BranchConditional 29 30 31',
      'Label 30',
      'Load 15 32 25', // one load of i serves both indices
      'AccessChain 33 35 5 34 32',
      'Load 1 36 35',
      'FMul 1 38 36 37',
      'AccessChain 33 39 6 34 32',
      'Store 39 38',
      'Branch 31',
      'Label 31',
      'Return',
      'FunctionEnd',
    ]);
  });

  it('is deterministic', () => {
    expect(emitSpirvExecutable([doubleIt]).code).toEqual(emitSpirvExecutable([doubleIt]).code);
  });

  it('declares only the Shader capability, even for 64-bit, f16 and sub-word dtypes', () => {
    const kernels = (['i64', 'u64', 'f64', 'f16', 'bf16', 'i8', 'u16', 'bool'] as const).map((d, i) =>
      elementwise(`k${i}`, [d], d, ([x]) => x!, [d === 'f16' || d === 'bf16' ? 'f32' : d === 'bool' || d === 'i8' || d === 'u16' ? 'i32' : d]));
    const list = instructions(emitSpirvExecutable(kernels).code);
    expect(list.filter((i) => i.op === Op.Capability).map((i) => i.operands)).toEqual([[1]]);
    expect(list.some((i) => i.op === Op.Extension)).toBe(false);
    // 32-bit types only.
    for (const i of list.filter((x) => x.op === Op.TypeInt || x.op === Op.TypeFloat)) expect(i.operands[1]).toBe(32);
  });

  it('imports GLSL.std.450 only when a kernel uses it', () => {
    expect(listing(emitSpirvExecutable([doubleIt]).code).some((l) => l.startsWith('ExtInstImport'))).toBe(false);
    const expK = elementwise('e', ['f32'], 'f32', ([x]) => ({ k: 'unary', op: 'exp', t: 'f32', a: x! }), ['f32']);
    expect(listing(emitSpirvExecutable([expK]).code).filter((l) => /^ExtInstImport \d+ "GLSL\.std\.450"$/.test(l))).toHaveLength(1);
  });

  it('has one GLCompute entry point per kernel, with its LocalSize', () => {
    const a = { ...doubleIt, name: 'a', workgroupSize: [8, 4, 2] as const };
    const b = { ...doubleIt, name: 'b' };
    const exe = emitSpirvExecutable([a, b]);
    expect(exe.entryPoints).toEqual(['a', 'b']);
    const list = listing(exe.code);
    expect(list.filter((l) => l.startsWith('EntryPoint 5 ')).map((l) => l.split('"')[1])).toEqual(['a', 'b']);
    const modes = list.filter((l) => l.startsWith('ExecutionMode'));
    expect(modes.map((l) => l.split(' ').slice(2).join(' '))).toEqual(['17 8 4 2', '17 64 1 1']);
  });

  it('describes entry points and bindings in meta', () => {
    const k: Kernel = { ...elementwise('m', ['i64', 'f16'], 'f32', ([x]) => x!, ['f32', 'f32']), workgroupCount: [c32(3), c32(1), BATCH_COUNT] };
    const { meta } = emitSpirvExecutable([k]);
    expect(meta.format).toBe('spirv');
    expect(meta.entryPoints).toEqual([{
      name: 'm',
      workgroupSize: [64, 1, 1],
      workgroupCount: [3, 1, -1],
      bindings: [
        { name: 'in0', dtype: 'i64', access: 'read', set: 0, binding: 0, minBindingSize: 8 },
        { name: 'in1', dtype: 'f16', access: 'read', set: 0, binding: 1, minBindingSize: 4 },
        { name: 'out', dtype: 'f32', access: 'write', set: 0, binding: 2, minBindingSize: 4 },
      ],
      numParams: 0,
    }]);
  });

  it('records narrowing in meta.narrowed', () => {
    expect(emitSpirvExecutable([doubleIt]).meta.narrowed).toEqual([]);
    const i64 = elementwise('a', ['i64'], 'i64', ([x]) => ({ k: 'binary', op: 'min', t: 'i64', a: x!, b: { k: 'const', t: 'i64', v: 2n ** 63n - 1n } }), ['i64']);
    const f64 = elementwise('b', ['f64'], 'f64', ([x]) => x!, ['f64']);
    const u8 = elementwise('c', ['u8'], 'u8', ([x]) => x!, ['i32']);
    expect(emitSpirvExecutable([i64]).meta.narrowed).toEqual([
      'i64/u64 computed as i32/u32: values must fit in 32 bits (stores sign-extend the low word)',
      'the 64-bit integer extremes (min/max identities) stand for the 32-bit extremes',
    ]);
    expect(emitSpirvExecutable([f64]).meta.narrowed).toEqual([
      'f64 computed as f32',
      'f64 storage converted to and from f32 in software (round to nearest even)',
    ]);
    expect(emitSpirvExecutable([u8]).meta.narrowed).toEqual(['sub-word elements (8/16-bit) are stored with atomicAnd/atomicOr on their 32-bit word']);
  });

  it('stores sub-word elements with atomic and/or on their word', () => {
    const ops = instructions(emitSpirvExecutable([elementwise('c', ['u8'], 'u8', ([x]) => x!, ['i32'])]).code).map((i) => i.op);
    expect(ops).toContain(Op.AtomicAnd);
    expect(ops).toContain(Op.AtomicOr);
    expect(ops.indexOf(Op.AtomicAnd)).toBeLessThan(ops.indexOf(Op.AtomicOr));
  });

  it('rejects what it cannot emit, naming the problem', () => {
    const storeToRead: Kernel = { ...doubleIt, body: [{ k: 'store', binding: 0, index: c32(0), value: { k: 'const', t: 'f32', v: 1 } }] };
    expect(() => emitSpirvExecutable([storeToRead])).toThrow(/read-only binding 0/);
    const wideConst = elementwise('w', ['i64'], 'i64', ([x]) => ({ k: 'binary', op: 'add', t: 'i64', a: x!, b: { k: 'const', t: 'i64', v: 2n ** 40n } }), ['i64']);
    const caught = (() => {
      try {
        emitSpirvExecutable([wideConst]);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isIreetsError(caught) && caught.code).toBe('MODEL_UNSUPPORTED');
    const f64Bits = elementwise('b', ['f64'], 'i64', ([x]) => ({ k: 'bitcast', a: x!, from: 'f64', t: 'i64' }), ['f64']);
    expect(() => emitSpirvExecutable([f64Bits])).toThrow(/cannot reinterpret f64/);
    expect(() => emitSpirvExecutable([doubleIt, doubleIt])).toThrow(/two kernels are named double_it/);
    expect(() => emitSpirvExecutable([elementwise('s', ['string'], 'f32', ([x]) => x!, ['f32'])])).toThrow(/string/);
    const simd: Kernel = { ...doubleIt, body: [{ k: 'vlet', name: 'v', value: { k: 'vsplat', a: { k: 'const', t: 'f32', v: 1 } } }] };
    expect(() => emitSpirvExecutable([simd])).toThrow(/does not support vlet statements/);
    const undeclared: Kernel = { ...doubleIt, body: [{ k: 'store', binding: 1, index: { k: 'var', name: 'nope', t: 'i32' }, value: { k: 'const', t: 'f32', v: 0 } }] };
    expect(() => emitSpirvExecutable([undeclared])).toThrow(/undeclared local nope/);
  });
});

describe('disassembleSpirv', () => {
  it.skipIf(!HAVE_SPIRV_DIS)('returns spirv-dis text', () => {
    const text = disassembleSpirv(emitSpirvExecutable([elementwise('dis', ['f32'], 'f32', ([x]) => x!, ['f32'])]).code);
    expect(text).toContain('OpEntryPoint GLCompute %dis "dis" %gl_WorkGroupID %gl_LocalInvocationID');
    expect(text).toContain('OpExecutionMode %dis LocalSize 64 1 1');
    expect(text).toContain('OpDecorate %dis_in0 NonWritable');
  });

  it('returns undefined when spirv-dis is not installed', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      expect(disassembleSpirv(emitSpirvExecutable([]).code)).toBeUndefined();
      expect(validateSpirv(emitSpirvExecutable([]).code)).toBeUndefined();
    } finally {
      process.env['PATH'] = path;
    }
  });
});

const ALL_DTYPES: readonly DType[] = ['f32', 'f64', 'f16', 'bf16', 'i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'i64', 'u64', 'bool'];
const SCALAR_TYPES: readonly ScalarType[] = ['f32', 'f64', 'i32', 'u32', 'i64', 'u64'];
const FLOAT_UNARY: readonly UnaryOp[] = [
  'neg', 'abs', 'sqrt', 'floor', 'ceil', 'round_even', 'trunc', 'exp', 'log', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'erf', 'sigmoid', 'sign', 'not', 'is_nan', 'is_inf_pos', 'is_inf_neg',
];
const INT_UNARY: readonly UnaryOp[] = ['neg', 'abs', 'sign', 'not', 'bit_not', 'floor', 'ceil', 'round_even', 'trunc'];
const FLOAT_BINARY: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'rem', 'min', 'max', 'pow', 'fmod', 'mod_floor', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const INT_BINARY: readonly BinaryOp[] = [...FLOAT_BINARY, 'and', 'or', 'xor', 'shl', 'shr'];
const isFloat = (t: ScalarType): boolean => t === 'f32' || t === 'f64';
const storageOf = (t: ScalarType): DType => t;
const resultType = (op: string, t: ScalarType): ScalarType =>
  ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'not', 'is_nan', 'is_inf_pos', 'is_inf_neg'].includes(op) ? 'i32' : t;
const computeOf = (d: DType): ScalarType =>
  d === 'f16' || d === 'bf16' || d === 'f32' ? 'f32' : d === 'f64' || d === 'i64' || d === 'u64' || d === 'u32' ? d : 'i32';

describe.skipIf(!HAVE_SPIRV_VAL)('SPIR-V emitter: spirv-val --target-env vulkan1.1 accepts', () => {
  it.each(ALL_DTYPES)('loads and stores of %s (read, write and readwrite bindings)', (d) => {
    const t = computeOf(d);
    const copy = elementwise('copy', [d], d, ([x]) => x!, [t]);
    const toF32 = elementwise('to_f32', [d], 'f32', ([x]) => ({ k: 'cast', a: x!, from: t, t: 'f32' }), [t]);
    const fromF32 = elementwise('from_f32', ['f32'], d, ([x]) => ({ k: 'cast', a: x!, from: 'f32', t }), ['f32']);
    const inPlace: Kernel = {
      name: 'in_place', bindings: [{ name: 'x', dtype: d, access: 'readwrite' }], numParams: 0, workgroupCount: ONE_GROUP, workgroupSize: [64, 1, 1],
      body: [LINEAR_ID, { k: 'store', binding: 0, index: idx, value: { k: 'load', binding: 0, index: { k: 'binary', op: 'sub', t: 'i32', a: c32(99), b: idx }, t } }],
    };
    expectValid([copy, toF32, fromF32, inPlace]);
  });

  it.each(SCALAR_TYPES)('every unary op on %s', (t) => {
    const ops = isFloat(t) ? FLOAT_UNARY : INT_UNARY;
    expectValid(ops.map((op) => elementwise(op, [storageOf(t)], storageOf(resultType(op, t)), ([x]) => ({ k: 'unary', op, a: x!, t }), [t])));
  });

  it.each(SCALAR_TYPES)('every binary op on %s', (t) => {
    const ops = isFloat(t) ? FLOAT_BINARY : INT_BINARY;
    expectValid(ops.map((op) => elementwise(op, [storageOf(t), storageOf(t)], storageOf(resultType(op, t)), ([a, b]) => ({ k: 'binary', op, a: a!, b: b!, t }), [t, t])));
  });

  it('every cast between scalar types, and same-width bitcasts', () => {
    const kernels: Kernel[] = [];
    for (const from of SCALAR_TYPES) {
      for (const to of SCALAR_TYPES) {
        kernels.push(elementwise(`cast_${from}_${to}`, [storageOf(from)], storageOf(to), ([x]) => ({ k: 'cast', a: x!, from, t: to }), [from]));
      }
    }
    const bitcasts: [ScalarType, ScalarType][] = [['f32', 'i32'], ['i32', 'f32'], ['f32', 'u32'], ['u32', 'f32'], ['i32', 'u32'], ['i64', 'u64'], ['u64', 'i64']];
    for (const [from, to] of bitcasts) {
      kernels.push(elementwise(`bitcast_${from}_${to}`, [storageOf(from)], storageOf(to), ([x]) => ({ k: 'bitcast', a: x!, from, t: to }), [from]));
    }
    expectValid(kernels);
  });

  it('select, logical conditions and special constants', () => {
    const f = (v: number): Expr => ({ k: 'const', t: 'f32', v });
    const lt: Expr = { k: 'binary', op: 'lt', t: 'i32', a: idx, b: c32(10) };
    const nan: Expr = { k: 'unary', op: 'is_nan', t: 'f32', a: { k: 'load', binding: 0, index: idx, t: 'f32' } };
    const both: Expr = { k: 'binary', op: 'and', t: 'i32', a: lt, b: { k: 'unary', op: 'not', t: 'i32', a: nan } };
    expectValid([elementwise('sel', ['f32'], 'f32', ([x]) => ({
      k: 'select', cond: both, t: 'f32', a: x!,
      b: { k: 'select', cond: { k: 'load', binding: 0, index: idx, t: 'i32' }, t: 'f32', a: f(Infinity), b: { k: 'binary', op: 'add', t: 'f32', a: f(NaN), b: f(-0) } },
    }), ['f32'])]);
  });

  it('loops, nested ifs and accumulators in a one-invocation (CPU-strategy) kernel', () => {
    const acc: Expr = { k: 'var', name: 'acc', t: 'f32' };
    const j: Expr = { k: 'var', name: 'j', t: 'i32' };
    const row: Expr = { k: 'var', name: 'row', t: 'i32' };
    const body: Stmt[] = [{
      k: 'for', v: 'row', start: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'wgid', dim: 0 }, b: c32(4) }, end: { k: 'binary', op: 'min', t: 'i32', a: c32(16), b: { k: 'binary', op: 'mul', t: 'i32', a: { k: 'binary', op: 'add', t: 'i32', a: { k: 'wgid', dim: 0 }, b: c32(1) }, b: c32(4) } }, step: 1,
      body: [
        { k: 'var', name: 'acc', value: { k: 'const', t: 'f32', v: 0 } },
        {
          k: 'for', v: 'j', start: c32(0), end: c32(8), step: 2, vectorize: true,
          body: [{
            k: 'if', cond: { k: 'binary', op: 'ne', t: 'i32', a: j, b: c32(4) },
            then: [{ k: 'assign', name: 'acc', value: { k: 'binary', op: 'add', t: 'f32', a: acc, b: { k: 'load', binding: 0, index: { k: 'binary', op: 'add', t: 'i32', a: { k: 'binary', op: 'mul', t: 'i32', a: row, b: c32(8) }, b: j }, t: 'f32' } } }],
            else: [{ k: 'if', cond: { k: 'binary', op: 'gt', t: 'f32', a: acc, b: { k: 'const', t: 'f32', v: 1 } }, then: [{ k: 'assign', name: 'acc', value: { k: 'const', t: 'f32', v: 1 } }] }],
          }],
        },
        { k: 'store', binding: 1, index: row, value: acc },
      ],
    }];
    expectValid([{
      name: 'rows', bindings: [{ name: 'x', dtype: 'f32', access: 'read' }, { name: 'y', dtype: 'f32', access: 'write' }],
      numParams: 0, workgroupCount: [c32(4), c32(1), c32(1)], workgroupSize: [1, 1, 1], body,
    }]);
  });

  it('push-constant params and all workgroup/local id dimensions', () => {
    const p = (index: number): Expr => ({ k: 'param', index });
    const sum = [p(0), p(1), p(2), { k: 'wgid', dim: 1 } as Expr, { k: 'wgid', dim: 2 } as Expr, { k: 'lid', dim: 1 } as Expr, { k: 'lid', dim: 2 } as Expr]
      .reduce((a, b) => ({ k: 'binary', op: 'add', t: 'i32', a, b }));
    const withParams = (name: string, numParams: number): Kernel => ({
      name, bindings: [{ name: 'y', dtype: 'i32', access: 'write' }], numParams, workgroupCount: [p(0), c32(1), c32(1)], workgroupSize: [4, 2, 2],
      body: [{ k: 'store', binding: 0, index: c32(0), value: sum }],
    });
    expectValid([withParams('three', 3), withParams('five', 5)]);
    expect(() => emitSpirvExecutable([withParams('two', 2)])).toThrow(/param 2 beyond numParams/);
  });

  it('a kernel with no bindings and no statements', () => {
    expectValid([{ name: 'empty', bindings: [], numParams: 0, workgroupCount: ONE_GROUP, workgroupSize: [1, 1, 1], body: [] }]);
  });
});

describe.skipIf(HAVE_SPIRV_VAL)('SPIR-V validation', () => {
  it('is skipped: spirv-val is not installed (apt-get install spirv-tools)', () => {
    expect(HAVE_SPIRV_VAL).toBe(false);
  });
});
