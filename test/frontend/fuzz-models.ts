// The models the import fuzzer mutates: the generated fixtures (a CNN, a dynamic-batch MLP,
// MobileNetV2), conformance models with control flow, casts and constants, a model with external
// data (lazy constant) and one with a model-local function. Also how a case's outcome is judged.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { frontendFixtures } from '../../fixtures/frontend/generate.js';
import { ensureFixture } from '../../fixtures/generate.js';
import { writeOnnxModel } from '../../src/frontend/onnx-writer.js';
import { IreetsError } from '../../src/util/errors.js';
import { poolModel, type PoolModel } from './fuzz-cases.js';

const CONFORMANCE_DIR = '/usr/share/libonnx-testdata/data/node';

export const FIXTURES = ['tiny_cnn', 'mlp_dynamic', 'mobilenet_v2'] as const;
const FIXTURE_WEIGHTS: Record<(typeof FIXTURES)[number], number> = { tiny_cnn: 22, mlp_dynamic: 16, mobilenet_v2: 12 };

/** Conformance models: control flow (subgraphs, outer-scope reads), casts, constants, RNN, resize. */
const CONFORMANCE_MODELS = [
  'test_if', 'test_loop11', 'test_scan9_sum', 'test_constantofshape_int_zeros', 'test_shape_start_1',
  'test_cast_FLOAT_to_STRING', 'test_constant', 'test_range_float_type_positive_delta_expanded',
  'test_lstm_defaults', 'test_resize_upsample_scales_linear',
];

/** Loads the pool; `dir` receives the external-data model and its weights. */
export async function loadFuzzPool(dir: string): Promise<PoolModel[]> {
  const pool: PoolModel[] = [];
  for (const name of FIXTURES) {
    const path = await ensureFixture(name);
    pool.push(poolModel(name, new Uint8Array(readFileSync(path)), path, FIXTURE_WEIGHTS[name]));
  }
  for (const name of CONFORMANCE_MODELS) {
    const path = `${CONFORMANCE_DIR}/${name}/model.onnx`;
    if (existsSync(path)) pool.push(poolModel(name, new Uint8Array(readFileSync(path)), path, 4));
  }
  mkdirSync(dir, { recursive: true });
  for (const f of frontendFixtures()) {
    if (f.file.startsWith('external-weights')) writeFileSync(join(dir, f.file), f.bytes);
  }
  const ext = join(dir, 'external-weights.onnx');
  pool.push(poolModel('external-weights', new Uint8Array(readFileSync(ext)), ext, 5));
  pool.push(poolModel('local-function', localFunctionModel(), join(dir, 'local-function.onnx'), 5));
  return pool;
}

function localFunctionModel(): Uint8Array {
  return writeOnnxModel({
    extraOpsets: [{ domain: 'local', version: 1 }],
    functions: [{
      name: 'ScaledRelu', domain: 'local', inputs: ['a', 's'], outputs: ['b'], attributes: ['to'],
      nodes: [
        { op: 'Mul', inputs: ['a', 's'], outputs: ['m'] },
        { op: 'Relu', inputs: ['m'], outputs: ['r'] },
        { op: 'Cast', inputs: ['r'], outputs: ['b'], attrs: { to: { ref: 'to', type: 'int' } } },
      ],
    }],
    graph: {
      inputs: [{ name: 'x', dtype: 'f32', shape: ['N', 4] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: ['N', 4] }],
      valueInfo: [{ name: 'h', dtype: 'f32', shape: ['N', 4] }],
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['s'], attrs: { value_float: { float: 2 } } },
        { op: 'ScaledRelu', domain: 'local', inputs: ['x', 's'], outputs: ['h'], attrs: { to: 1 } },
        { op: 'Softmax', inputs: ['h'], outputs: ['y'], attrs: { axis: -1 } },
      ],
    },
  });
}

export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'failure'; readonly message: string };

/** JS engine errors: behind a typed error they mean the import crashed and a wrapper masked it. */
const CRASHES = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/**
 * A clean typed error: an IreetsError other than INTERNAL, not wrapping an engine error (decoding
 * excepted: protobuf reports bad bytes as RangeErrors, and "not an ONNX model" says so).
 */
export function judgeError(e: unknown): Outcome {
  if (!(e instanceof IreetsError)) {
    const err = e as Error;
    return { kind: 'failure', message: `uncaught ${err?.name ?? typeof e}: ${err?.stack ?? String(e)}` };
  }
  if (e.code === 'INTERNAL') return { kind: 'failure', message: `INTERNAL: ${e.message}\n${causeStack(e)}` };
  if (!e.message.includes('not an ONNX model')) {
    for (let c: unknown = e.cause; c instanceof Error; c = c.cause) {
      if (CRASHES.has(c.constructor.name)) return { kind: 'failure', message: `${e.code} masking a ${c.constructor.name}: ${e.message}\n${c.stack}` };
    }
  }
  return { kind: 'error', code: e.code, message: e.message };
}

function causeStack(e: Error): string {
  return e.cause instanceof Error ? (e.cause.stack ?? '') : '';
}
