// The front end's bad-input bar: one clear typed error per bad model, naming what is wrong —
// not-ONNX bytes, every unsupported op at once, a missing external data file, a shape mismatch,
// malformed nodes — and, through the CLI, exit code 1 with no stack unless --verbose.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureFixture } from '../../fixtures/generate.js';
import { importModel } from '../../src/frontend/import-model.js';
import { writeOnnxModel, type OnnxModelSpec, type OnnxNodeSpec } from '../../src/frontend/onnx-writer.js';
import { registeredOpTypes } from '../../src/frontend/registry.js';
import { UnsupportedOpsError } from '../../src/frontend/unsupported-ops.js';
import { withOperandTypes } from '../../src/ir/infer-shapes.js';
import { Tensor } from '../../src/ir/tensor.js';
import { IreetsError } from '../../src/util/errors.js';
import { CONFORMANCE_DIR } from './conformance-case.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ireets-import-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function importError(bytes: Uint8Array, path?: string): Promise<IreetsError> {
  try {
    await importModel(bytes, { path });
  } catch (e) {
    expect(e).toBeInstanceOf(IreetsError);
    return e as IreetsError;
  }
  throw new Error('import succeeded');
}

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const f32 = (name: string, shape: readonly (number | string)[]) => ({ name, dtype: 'f32' as const, shape });

describe('bytes that are not an ONNX model', () => {
  it('says "not an ONNX model: FILE: …" for garbage, text, an empty file and a tensor file', async () => {
    const tensorFile = `${CONFORMANCE_DIR}/test_abs/test_data_set_0/input_0.pb`;
    const cases: [string, Uint8Array][] = [
      ['garbage.onnx', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f])],
      ['text.onnx', new TextEncoder().encode('hello, this is not a model\n')],
      ['empty.onnx', new Uint8Array(0)],
      ['tensor.pb', new Uint8Array(readFileSync(tensorFile))],
    ];
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      const e = await importError(bytes, path);
      expect(e.code).toBe('MODEL_CORRUPT');
      expect(e.message.startsWith(`not an ONNX model: ${path}: `)).toBe(true);
      expect(e.culprit).toBe(path);
    }
    expect((await importError(new Uint8Array(0), join(dir, 'empty.onnx'))).message).toContain('the file is empty');
  });

  it('says so for a fixture truncated anywhere', async () => {
    const bytes = new Uint8Array(readFileSync(await ensureFixture('tiny_cnn')));
    for (const keep of [1, 10, 100, 1000, Math.floor(bytes.length / 2), bytes.length - 40, bytes.length - 1]) {
      const e = await importError(bytes.subarray(0, keep), 'cut.onnx');
      expect(e.code, `cut at ${keep}`).toBe('MODEL_CORRUPT');
      expect(e.message, `cut at ${keep}`).toMatch(/^not an ONNX model: cut\.onnx: /);
    }
    const e = await importError(bytes.subarray(0, bytes.length - 1), 'cut.onnx');
    expect(e.message).toMatch(/truncated/);
  });
});

describe('unsupported ops', () => {
  const spec: OnnxModelSpec = {
    opset: 17,
    extraOpsets: [{ domain: 'com.example', version: 3 }],
    graph: {
      inputs: [f32('x', [2, 3]), { name: 'cond', dtype: 'bool', shape: [] }],
      outputs: [{ name: 'y' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }],
      nodes: [
        { op: 'FancyOp', domain: 'com.example', name: 'fancy', inputs: ['x'], outputs: ['a'] },
        // Reads an unsupported node's output: skipped, not reported.
        { op: 'Relu', name: 'after_fancy', inputs: ['a'], outputs: ['b'] },
        { op: 'Bogus', name: 'bogus', inputs: ['x'], outputs: ['c'] },
        {
          op: 'If', name: 'branchy', inputs: ['cond'], outputs: ['d'], attrs: {
            then_branch: { inputs: [], outputs: [{ name: 't' }], nodes: [{ op: 'Frobnicate', name: 'inner', inputs: ['x'], outputs: ['t'] }] },
            else_branch: { inputs: [], outputs: [{ name: 'u' }], nodes: [{ op: 'Identity', name: 'fine', inputs: ['x'], outputs: ['u'] }] },
          },
        },
        // A known op its importer refuses (complex numbers).
        { op: 'Cast', name: 'to_complex', inputs: ['x'], outputs: ['e'], attrs: { to: 14 } },
        { op: 'Add', name: 'fine_add', inputs: ['x', 'x'], outputs: ['y'] },
      ],
    },
  };

  it('lists every one at once: node, op type, domain, opset, where', async () => {
    const e = await importError(writeOnnxModel(spec), 'unsupported.onnx');
    expect(e).toBeInstanceOf(UnsupportedOpsError);
    expect(e.code).toBe('MODEL_UNSUPPORTED_OP');
    expect(e.culprit).toBe('unsupported.onnx');
    const ops = (e as UnsupportedOpsError).ops.map((o) => ({ ...o, refusal: o.refusal?.code }));
    expect(ops).toEqual([
      { node: 'fancy', opType: 'FancyOp', domain: 'com.example', opset: 3, within: undefined },
      { node: 'bogus', opType: 'Bogus', domain: 'ai.onnx', opset: 17, within: undefined },
      { node: 'inner', opType: 'Frobnicate', domain: 'ai.onnx', opset: 17, within: 'in attribute "then_branch" of node "branchy"' },
      { node: 'to_complex', opType: 'Cast', domain: 'ai.onnx', opset: 17, within: undefined, refusal: 'MODEL_UNSUPPORTED' },
    ]);
    expect(e.message.split('\n')).toEqual([
      'unsupported.onnx: 4 nodes use ONNX ops ireets does not support (com.example:FancyOp, Bogus, Frobnicate, Cast):',
      '  node "fancy": FancyOp (domain com.example, opset 3)',
      '  node "bogus": Bogus (domain ai.onnx, opset 17)',
      '  node "inner": Frobnicate (domain ai.onnx, opset 17) in attribute "then_branch" of node "branchy"',
      '  node "to_complex": Cast (domain ai.onnx, opset 17): Cast to COMPLEX64 is not supported',
    ]);
  });

  it('finds them inside loop bodies and local functions, and names a lone one as the culprit', async () => {
    const e = await importError(writeOnnxModel({
      extraOpsets: [{ domain: 'local', version: 1 }],
      functions: [{ name: 'Helper', domain: 'local', inputs: ['p'], outputs: ['q'], nodes: [{ op: 'Mystery', name: 'deep', inputs: ['p'], outputs: ['q'] }] }],
      graph: {
        inputs: [f32('x', [2])],
        outputs: [{ name: 'y' }, { name: 'z' }],
        nodes: [
          { op: 'Helper', domain: 'local', name: 'call1', inputs: ['x'], outputs: ['y'] },
          { op: 'Helper', domain: 'local', name: 'call2', inputs: ['y'], outputs: ['z'] },
        ],
      },
    }));
    // One node, however often its function is called.
    expect((e as UnsupportedOpsError).ops).toEqual([{ node: 'deep', opType: 'Mystery', domain: 'ai.onnx', opset: 17, within: 'in function local:Helper' }]);
    expect(e.message).toBe('node "deep": ONNX op Mystery (domain ai.onnx, opset 17) is not supported (in function local:Helper)');

    const loop = await importError(writeOnnxModel({
      graph: {
        inputs: [{ name: 'n', dtype: 'i64', shape: [] }, f32('x', [2])],
        outputs: [{ name: 'out' }],
        nodes: [{
          op: 'Loop', name: 'loop', inputs: ['n', '', 'x'], outputs: ['out'], attrs: {
            body: {
              inputs: [{ name: 'i', dtype: 'i64', shape: [] }, { name: 'c', dtype: 'bool', shape: [] }, f32('v', [2])],
              outputs: [{ name: 'c2' }, { name: 'v2' }],
              nodes: [
                { op: 'Identity', name: 'keep', inputs: ['c'], outputs: ['c2'] },
                { op: 'Wibble', name: 'w1', inputs: ['v'], outputs: ['v1'] },
                { op: 'Wobble', name: 'w2', inputs: ['v1'], outputs: ['v2'] },
              ],
            },
          },
        }],
      },
    }));
    expect((loop as UnsupportedOpsError).ops.map((o) => `${o.node} ${o.opType} ${o.within}`)).toEqual([
      'w1 Wibble in attribute "body" of node "loop"',
      'w2 Wobble in attribute "body" of node "loop"',
    ]);
  });

  it('keeps a lone importer refusal as it was', async () => {
    const e = await importError(writeOnnxModel({
      graph: { inputs: [f32('x', [2])], outputs: [{ name: 'y' }], nodes: [{ op: 'Cast', name: 'c', inputs: ['x'], outputs: ['y'], attrs: { to: 14 } }] },
    }));
    expect(e.code).toBe('MODEL_UNSUPPORTED');
    expect(e.message).toBe('node "c" (Cast): Cast to COMPLEX64 is not supported');
  });

  it('reports them even when other nodes are broken too', async () => {
    const e = await importError(writeOnnxModel({
      graph: {
        inputs: [f32('x', [2, 3]), f32('w', [4, 5])],
        outputs: [{ name: 'y' }, { name: 'z' }],
        nodes: [
          { op: 'MatMul', name: 'bad_matmul', inputs: ['x', 'w'], outputs: ['y'] },
          { op: 'Unheard', name: 'later', inputs: ['x'], outputs: ['z'] },
        ],
      },
    }));
    expect(e.code).toBe('MODEL_UNSUPPORTED_OP');
    expect((e as UnsupportedOpsError).ops.map((o) => o.node)).toEqual(['later']);
  });
});

describe('external data', () => {
  for (const [what, n] of [['small (read at import)', 4], ['large (lazy)', 70_000]] as const) {
    it(`names the missing file's resolved path and the tensor: ${what}`, async () => {
      const w = Tensor.zeros('f32', [n]);
      const path = save(`ext-${n}.onnx`, writeOnnxModel({
        graph: {
          inputs: [f32('x', [n])],
          outputs: [{ name: 'y' }],
          initializers: [{ name: 'weights', tensor: w, external: { location: `sub/../w-${n}.bin` } }],
          nodes: [{ op: 'Add', inputs: ['x', 'weights'], outputs: ['y'] }],
        },
      }));
      const e = await importError(readFileSync(path), path);
      expect(e.code).toBe('MODEL_INVALID');
      expect(e.message).toBe(`initializer "weights": external data file ${join(dir, `w-${n}.bin`)} (location "sub/../w-${n}.bin" of tensor "weights") does not exist`);
    });
  }
});

describe('shape mismatches', () => {
  const binary = (op: string, a: number[], b: number[], attrs?: OnnxNodeSpec['attrs']) => writeOnnxModel({
    graph: { inputs: [f32('a', a), f32('b', b)], outputs: [{ name: 'y' }], nodes: [{ op, name: 'the_node', inputs: ['a', 'b'], outputs: ['y'], attrs }] },
  });

  it('names the node, its ONNX op and both shapes', async () => {
    const add = await importError(binary('Add', [2, 3], [4, 5]));
    expect(add.code).toBe('MODEL_INVALID');
    expect(add.message).toBe('node "the_node" (Add): add: cannot broadcast shapes [2,3] and [4,5]');
    const matmul = await importError(binary('MatMul', [2, 3], [4, 5]));
    expect(matmul.message).toBe('node "the_node" (MatMul): matmul inner dims differ: 3 vs 4 (operands f32[2,3], f32[4,5])');
    const conv = await importError(binary('Conv', [1, 3, 8, 8], [4, 2, 3, 3]));
    expect(conv.message).toMatch(/^node "the_node" \(Conv\): .*channels.*\(operands f32\[1,3,8,8\], f32\[4,2,3,3\]\)$/);
  });

  it('names both shapes when they are constants too', async () => {
    const e = await importError(writeOnnxModel({
      graph: {
        inputs: [],
        outputs: [{ name: 'y' }],
        initializers: [{ name: 'a', tensor: Tensor.zeros('f32', [2, 3]) }, { name: 'b', tensor: Tensor.zeros('f32', [4, 5]) }],
        nodes: [{ op: 'Gemm', name: 'g', inputs: ['a', 'b'], outputs: ['y'] }],
      },
    }));
    expect(e.message).toMatch(/^node "g" \(Gemm\): matmul inner dims differ: 3 vs 4 \(operands f32\[2,3\], f32\[4,5\]\)$/);
  });

  it('appends operand types only where the message lacks a shape', () => {
    const a = { dtype: 'f32', shape: [2, 3] } as const;
    const b = { dtype: 'f32', shape: [4, 5] } as const;
    expect(withOperandTypes('cannot broadcast shapes [2,3] and [4,5]', [a, b])).toBe('cannot broadcast shapes [2,3] and [4,5]');
    expect(withOperandTypes('inner dims differ', [a, null, { dtype: 'i64', shape: null }])).toBe('inner dims differ (operands f32[2,3], none, i64*)');
  });
});

describe('malformed nodes', () => {
  const ops = registeredOpTypes().filter((o) => o.domain === '').map((o) => o.opType);
  const operands = [
    { dtype: 'f32', shape: [2, 3, 4, 5] }, { dtype: 'f32', shape: [] }, { dtype: 'i64', shape: [3] },
    { dtype: 'f32', shape: null }, { dtype: 'string', shape: [2] }, { dtype: 'bool', shape: ['N', 2] },
  ] as const;

  it('every importer, given missing, omitted or odd operands, fails with a typed error naming the node', async () => {
    expect(ops.length).toBeGreaterThan(150);
    const problems: string[] = [];
    for (const op of ops) {
      for (const opset of [9, 13, 18]) {
        for (const operand of operands) {
          for (const inputs of [[], ['a'], ['a', 'b'], ['a', 'b', 'c'], ['', 'b', 'c'], ['a', '', 'c']]) {
            const bytes = writeOnnxModel({
              opset,
              graph: {
                inputs: ['a', 'b', 'c'].map((name) => ({ name, ...operand })),
                outputs: [{ name: 'y' }],
                nodes: [{ op, name: 'odd', inputs, outputs: ['y', 'y2', 'y3'] }],
              },
            });
            try {
              await importModel(bytes);
            } catch (e) {
              const bad = !(e instanceof IreetsError) || e.code === 'INTERNAL' || !e.message.includes('"odd"');
              if (bad) problems.push(`${op} opset ${opset} ${operand.dtype}${JSON.stringify(operand.shape)} [${inputs.join(',')}]: ${(e as Error).message}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('the CLI', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', ...args], { cwd: REPO, encoding: 'utf8' });

  it('prints one error line and exits 1; the stack only with --verbose', () => {
    const path = save('not-a-model.onnx', new TextEncoder().encode('definitely not protobuf {}'));
    const r = cli('import', path);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^ireets: error \[MODEL_CORRUPT\]: not an ONNX model: .*not-a-model\.onnx: /)]);
    const verbose = cli('import', path, '--verbose');
    expect(verbose.status).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  }, 60_000);

  it('lists every unsupported op in one error', () => {
    const path = save('unsupported.onnx', writeOnnxModel({
      graph: {
        inputs: [f32('x', [2])],
        outputs: [{ name: 'y' }, { name: 'z' }],
        nodes: [{ op: 'Foo', name: 'n1', inputs: ['x'], outputs: ['y'] }, { op: 'Bar', name: 'n2', inputs: ['x'], outputs: ['z'] }],
      },
    }));
    const r = cli('import', path);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ireets: error \[MODEL_UNSUPPORTED_OP\]: .*: 2 nodes use ONNX ops ireets does not support \(Foo, Bar\):\n {2}node "n1": Foo \(domain ai\.onnx, opset 17\)\n {2}node "n2": Bar \(domain ai\.onnx, opset 17\)\n$/);
  }, 60_000);
});
