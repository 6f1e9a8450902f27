// A short, human name for a dispatch region, after its heaviest op: "conv 3x3, 96→96",
// "depthwise conv 3x3, 576 channels, stride 2", "matmul 128x384 · 384x1536", "max pool 3x3,
// stride 2", "reduce_mean [1x128x1]", else its ops and result shape.
// For one-line reports (`ireets watch`); --explain prints the full summary.
import type { SerializedAttr, SerializedRegion } from '../../ir/serialize.js';

type Node = SerializedRegion['nodes'][number];

const ROOT_ORDER = ['conv', 'conv_transpose', 'matmul', 'max_pool', 'avg_pool', 'lp_pool'];

export function regionLabel(body: SerializedRegion): string {
  const shapes: (readonly number[])[] = [...body.inputs.map((i) => i.shape), ...body.constants.map((c) => c.shape)];
  for (const n of body.nodes) for (const o of n.outputs) shapes.push(o.shape);
  const shapeOf = (k: number | null | undefined): readonly number[] | undefined => (k === null || k === undefined ? undefined : shapes[k]);
  for (const op of ROOT_ORDER) {
    const n = body.nodes.find((x) => x.op === op);
    if (!n) continue;
    if (op === 'matmul') return matmulLabel(n, shapeOf);
    return op.endsWith('_pool') ? poolLabel(n) : convLabel(n, shapeOf);
  }
  const out = shapeOf(body.output);
  const shape = out ? ` [${out.join('x')}]` : '';
  const reduction = body.nodes.find((n) => n.op.startsWith('reduce_') || n.op.startsWith('arg_'));
  if (reduction) return `${reduction.op}${shape}`;
  const ops = body.nodes.map((n) => n.op).filter((op, i, all) => all.indexOf(op) === i);
  return `${ops.slice(0, 4).join('+')}${ops.length > 4 ? '+…' : ''}${shape}`;
}

function poolLabel(n: Node): string {
  const parts = [`${n.op.replace('_pool', '')} pool ${ints(n.attrs['kernel_shape']).join('x')}`];
  const strides = ints(n.attrs['strides']);
  if (strides.some((s) => s !== 1)) parts.push(`stride ${uniform(strides)}`);
  return parts.join(', ');
}

const ints = (a: SerializedAttr | undefined): number[] => (Array.isArray(a) ? (a as number[]) : []);
const uniform = (xs: readonly number[]): string => (xs.every((x) => x === xs[0]) ? `${xs[0]}` : xs.join('x'));

function convLabel(n: Node, shapeOf: (k: number | null | undefined) => readonly number[] | undefined): string {
  const x = shapeOf(n.inputs[0]);
  const w = shapeOf(n.inputs[1]);
  const name = n.op === 'conv' ? 'conv' : 'conv transpose';
  if (!x || !w) return name;
  const group = typeof n.attrs['group'] === 'number' ? n.attrs['group'] : 1;
  const kernel = w.slice(2).join('x');
  const cin = x[1]!;
  const cout = n.op === 'conv' ? w[0]! : w[1]! * group;
  const parts = group > 1 && group === cin && cout === cin ? [`depthwise ${name} ${kernel}, ${cin} channels`] : [`${name} ${kernel}, ${cin}→${cout}`];
  if (group > 1 && !(group === cin && cout === cin)) parts.push(`${group} groups`);
  const strides = ints(n.attrs['strides']);
  if (strides.some((s) => s !== 1)) parts.push(`stride ${uniform(strides)}`);
  const dilations = ints(n.attrs['dilations']);
  if (dilations.some((d) => d !== 1)) parts.push(`dilation ${uniform(dilations)}`);
  return parts.join(', ');
}

function matmulLabel(n: Node, shapeOf: (k: number | null | undefined) => readonly number[] | undefined): string {
  const a = shapeOf(n.inputs[0]);
  const b = shapeOf(n.inputs[1]);
  if (!a || !b || a.length < 2 || b.length < 2) return 'matmul';
  return `matmul ${a.slice(-2).join('x')} · ${b.slice(-2).join('x')}`;
}
