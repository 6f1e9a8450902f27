// Why a case that passes on the reference interpreter may fail on a compiled backend. Each gap
// is a class of models the target does not support yet, recognised by the error it raises; a
// failure that matches none of them is a bug.
import type { CaseStatus } from './status-file.js';

export interface KnownGap {
  readonly reason: string;
  matches(status: CaseStatus, caseName?: string, backend?: string): boolean;
}

const byMessage = (reason: string, pattern: RegExp): KnownGap => ({
  reason,
  matches: (s) => s.status === 'error' && pattern.test(s.message ?? ''),
});

const byCases = (reason: string, backend: string, cases: readonly string[]): KnownGap => ({
  reason,
  matches: (s, name, b) => b === backend && s.status === 'fail' && !!name && cases.includes(name),
});

export const COMPILED_BACKEND_GAPS: readonly KnownGap[] = [
  byCases('WGSL has no f64: the DFT/STFT reference sums in f64; in f32 the near-zero bins miss the relative tolerance', 'webgpu',
    ['test_dft', 'test_dft_axis', 'test_dft_inverse', 'test_stft', 'test_stft_with_window']),
  byMessage('the op needs the host at run time (data-dependent output shape, randomness, or no device lowering yet)', /needs the host at run time/),
  byMessage('an operand the code generator needs at compile time (slice starts, pad amounts, resize scales/roi, range bounds) is a run-time input of the test model', /must be a compile-time constant|operands are not compile-time constants/),
  byMessage('a shape inside the graph depends on run-time values (only a leading batch dim may be dynamic)', /has dynamic shape|no static size/),
  byMessage('string tensors cannot live on a device', /string tensors|string constants/),
  byMessage("the test data's shape disagrees with the model's declared input shape, which the runtime refuses", /^INPUT_INVALID: input \S+: expected shape/),
];

export function knownGapOf(status: CaseStatus, caseName?: string, backend?: string): KnownGap | undefined {
  return COMPILED_BACKEND_GAPS.find((g) => g.matches(status, caseName, backend));
}
