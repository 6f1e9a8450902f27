// ONNX importers: elementwise ops that map one-to-one onto IR ops (math, comparisons, logic,
// bit ops, Where, variadic Sum/Mean/Max/Min). Activations and quantization live beside this file.
import { defineImporter } from '../registry.js';
import { foldVariadic, requireInput, scalarLike } from './elementwise-util.js';
import './elementwise-activations.js';
import './elementwise-quantize.js';

/** ONNX op type → IR op, for ops whose inputs and attributes carry over unchanged. */
const DIRECT: Readonly<Record<string, string>> = {
  Abs: 'abs', Neg: 'neg', Sign: 'sign', Exp: 'exp', Log: 'log', Sqrt: 'sqrt', Reciprocal: 'reciprocal',
  Sin: 'sin', Cos: 'cos', Tan: 'tan', Asin: 'asin', Acos: 'acos', Atan: 'atan',
  Sinh: 'sinh', Cosh: 'cosh', Tanh: 'tanh', Asinh: 'asinh', Acosh: 'acosh', Atanh: 'atanh',
  Sigmoid: 'sigmoid', Erf: 'erf', Floor: 'floor', Ceil: 'ceil', Round: 'round',
  Not: 'not', BitwiseNot: 'bitwise_not', IsNaN: 'is_nan',
  Add: 'add', Sub: 'sub', Mul: 'mul', Div: 'div', Pow: 'pow',
  And: 'and', Or: 'or', Xor: 'xor',
  Equal: 'equal', Less: 'less', LessOrEqual: 'less_equal', Greater: 'greater', GreaterOrEqual: 'greater_equal',
  BitwiseAnd: 'bitwise_and', BitwiseOr: 'bitwise_or', BitwiseXor: 'bitwise_xor',
  Where: 'select',
};

for (const [onnxOp, irOp] of Object.entries(DIRECT)) {
  defineImporter(onnxOp, (ctx, inputs) => [ctx.op1(irOp, inputs.map((_, i) => requireInput(ctx, inputs, i)))]);
}

defineImporter('IsInf', (ctx, inputs) => [
  ctx.op1('is_inf', [requireInput(ctx, inputs, 0)], {
    detect_positive: ctx.attrInt('detect_positive', 1),
    detect_negative: ctx.attrInt('detect_negative', 1),
  }),
]);

defineImporter('Mod', (ctx, inputs) => {
  const a = requireInput(ctx, inputs, 0);
  // ONNX requires fmod=1 for floats; for fmod=0 on floats the kernel takes numpy's floor-mod.
  const fmod = ctx.attrInt('fmod', 0);
  return [ctx.op1('mod', [a, requireInput(ctx, inputs, 1)], { fmod: fmod !== 0 ? 1 : 0 })];
});

defineImporter('BitShift', (ctx, inputs) => {
  const dir = ctx.attrString('direction', '');
  if (dir !== 'LEFT' && dir !== 'RIGHT') ctx.invalid(`BitShift direction must be LEFT or RIGHT, got "${dir}"`);
  return [ctx.op1('bit_shift', [requireInput(ctx, inputs, 0), requireInput(ctx, inputs, 1)], {
    direction: dir === 'LEFT' ? 'left' : 'right',
  })];
});

defineImporter('Sum', (ctx, inputs) => [foldVariadic(ctx, 'add', inputs)]);
defineImporter('Max', (ctx, inputs) => [foldVariadic(ctx, 'max', inputs)]);
defineImporter('Min', (ctx, inputs) => [foldVariadic(ctx, 'min', inputs)]);

defineImporter('Mean', (ctx, inputs) => {
  const sum = foldVariadic(ctx, 'add', inputs);
  const n = inputs.filter((v) => v !== null).length;
  return [n === 1 ? sum : ctx.op1('div', [sum, scalarLike(ctx, sum, n)])];
});
