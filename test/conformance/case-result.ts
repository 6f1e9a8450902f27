/** What happened to one conformance case; the value stored per case in status-<backend>.json. */
export interface CaseStatus {
  status: 'pass' | 'fail' | 'error';
  /** Largest |actual - expected| over the compared elements (fail only). */
  maxAbsError?: number;
  maxRelError?: number;
  /** fail: which data set and output, and how it differs; error: `CODE: first line of the message`. */
  message?: string;
  /**
   * `out-of-scope`: strings, training ops, sequences/optionals; they run and count like any case.
   * `random`: outputs drawn from an RNG; values are compared only where both sides are nonzero.
   */
  category?: 'out-of-scope' | 'random';
}

/** A case's status plus what the run report needs but the status file does not keep. */
export interface CaseResult extends CaseStatus {
  name: string;
  /** ONNX op types of the model's top-level graph (for per-op summaries). */
  opTypes: string[];
  /** Why it is out of scope, when it is. */
  outOfScopeReason?: string;
  /** Wall time of the case in its worker, for spotting slow kernels (not kept in status files). */
  ms?: number;
}
