/**
 * Every error ireets raises on purpose is an IreetsError: a stable code for programs and CI,
 * and the culprit (file, node, op, dispatch, cache entry) for people.
 */
export type IreetsErrorCode =
  | 'MODEL_CORRUPT'
  | 'MODEL_UNSUPPORTED_OP'
  | 'MODEL_UNSUPPORTED'
  | 'MODEL_INVALID'
  | 'IR_INVALID'
  | 'SHAPE_MISMATCH'
  | 'INPUT_INVALID'
  | 'QUERY_CYCLE'
  | 'QUERY_CANCELLED'
  | 'QUERY_UNKNOWN'
  | 'QUERY_INPUT_UNSET'
  | 'QUERY_CONFLICT'
  | 'VALUE_UNENCODABLE'
  | 'CACHE_CORRUPT'
  | 'CACHE_IO'
  | 'MODULE_CORRUPT'
  | 'INTERNAL';

export class IreetsError extends Error {
  readonly code: IreetsErrorCode;
  /** What the error is about, e.g. `model.onnx`, `node "conv_3" (Conv)`, `cache entry 9f2c…`. */
  readonly culprit: string | undefined;

  constructor(code: IreetsErrorCode, message: string, culprit?: string, options?: { cause?: unknown }) {
    super(culprit ? `${culprit}: ${message}` : message, options);
    this.name = 'IreetsError';
    this.code = code;
    this.culprit = culprit;
  }
}

export function isIreetsError(e: unknown): e is IreetsError {
  return e instanceof IreetsError;
}
