import { type GraphProto, type ValueInfoProto, onnx } from '../../src/frontend/onnx-proto.js';

/**
 * What a case's model contains, read straight from its protobuf, so the report can set apart
 * cases that are out of scope for ireets (they still count as failures; they are never hidden).
 */
export interface CaseProfile {
  /** ONNX op types of the top-level graph, in node order, without duplicates. */
  readonly opTypes: readonly string[];
  /** Why the case is out of scope, or undefined when it is in scope. */
  readonly outOfScope?: string;
  /** The outputs depend on a random number generator (numpy's, when the expected values were made). */
  readonly random?: boolean;
  /** ONNX element type codes the graph declares for its inputs (initializers excluded) and outputs; 0 when not a tensor. */
  readonly inputElemTypes?: readonly number[];
  readonly outputElemTypes?: readonly number[];
}

const TRAINING_OPS = new Set(['Adagrad', 'Adam', 'Momentum', 'Gradient']);
// TfIdfVectorizer is not here: it also takes int token ids (as in every ONNX test); string inputs show as string tensors.
const STRING_OPS = new Set(['StringNormalizer', 'RegexFullMatch', 'StringConcat', 'StringSplit']);
const SEQUENCE_OPS = new Set([
  'SequenceConstruct', 'SequenceInsert', 'SequenceAt', 'SequenceErase', 'SequenceLength', 'SequenceEmpty',
  'SplitToSequence', 'ConcatFromSequence', 'SequenceMap', 'Optional', 'OptionalHasElement', 'OptionalGetElement',
]);
const RANDOM_OPS = new Set(['Bernoulli', 'RandomUniform', 'RandomUniformLike', 'RandomNormal', 'RandomNormalLike', 'Multinomial']);
const ONNX_STRING = 8;

export function profileModel(modelBytes: Uint8Array): CaseProfile {
  const model = onnx.ModelProto.decode(modelBytes);
  const graph = model.graph ?? {};
  const opTypes = [...new Set((graph.node ?? []).map((n) => n.opType ?? ''))];
  const reasons = new Set<string>();
  const random = { found: false };
  scanGraph(graph, reasons, random);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const elemType = (v: ValueInfoProto): number => v.type?.tensorType?.elemType ?? 0;
  const profile = {
    opTypes,
    inputElemTypes: (graph.input ?? []).filter((v) => !initializers.has(v.name)).map(elemType),
    outputElemTypes: (graph.output ?? []).map(elemType),
  };
  if (reasons.size) return { ...profile, outOfScope: [...reasons].sort().join(', ') };
  return random.found ? { ...profile, random: true } : profile;
}

function scanGraph(g: GraphProto, reasons: Set<string>, random: { found: boolean }): void {
  for (const n of g.node ?? []) {
    const op = n.opType ?? '';
    // Dropout is random only when given a training_mode input (it may be true at run time).
    if (RANDOM_OPS.has(op) || (op === 'Dropout' && (n.input?.[2] ?? '') !== '')) random.found = true;
    if (TRAINING_OPS.has(op) || n.domain === 'ai.onnx.preview.training') reasons.add('training');
    if (STRING_OPS.has(op)) reasons.add('strings');
    if (SEQUENCE_OPS.has(op)) reasons.add('sequences/optionals');
    for (const a of n.attribute ?? []) {
      if (a.g) scanGraph(a.g, reasons, random);
      for (const sub of a.graphs ?? []) scanGraph(sub, reasons, random);
      if (a.t?.dataType === ONNX_STRING) reasons.add('strings');
    }
  }
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
    const t = v.type;
    if (!t) continue;
    if (t.sequenceType || t.optionalType || t.mapType) reasons.add('sequences/optionals');
    if (t.tensorType?.elemType === ONNX_STRING) reasons.add('strings');
  }
  for (const init of g.initializer ?? []) if (init.dataType === ONNX_STRING) reasons.add('strings');
}
