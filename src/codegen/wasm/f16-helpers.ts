import type { Expr, ScalarType, Stmt } from '../kernel-ir.js';

/** A small function written in kernel IR and compiled into every CPU executable. */
export interface HelperFunction {
  name: string;
  params: { name: string; t: ScalarType }[];
  result: string;
  resultType: ScalarType;
  body: Stmt[];
}

const i = (v: number): Expr => ({ k: 'const', t: 'i32', v });
const v = (name: string): Expr => ({ k: 'var', name, t: 'i32' });
const bin = (op: Extract<Expr, { k: 'binary' }>['op'], a: Expr, b: Expr): Expr => ({ k: 'binary', op, a, b, t: 'i32' });
const sel = (cond: Expr, a: Expr, b: Expr): Expr => ({ k: 'select', cond, a, b, t: 'i32' });

// f16 bits → f32, exact (every f16 is an f32).
const f16ToF32: HelperFunction = {
  name: 'f16_to_f32',
  params: [{ name: 'h', t: 'i32' }],
  result: 'r',
  resultType: 'f32',
  body: [
    { k: 'let', name: 'sign', value: bin('shl', bin('and', v('h'), i(0x8000)), i(16)) },
    { k: 'let', name: 'e', value: bin('and', bin('shr', v('h'), i(10)), i(0x1f)) },
    { k: 'let', name: 'm', value: bin('and', v('h'), i(0x3ff)) },
    // Subnormals and zero: m * 2^-24 with the sign applied after.
    { k: 'var', name: 'r', value: { k: 'binary', op: 'mul', t: 'f32', a: { k: 'cast', a: v('m'), from: 'i32', t: 'f32' }, b: { k: 'const', t: 'f32', v: 2 ** -24 } } },
    { k: 'if', cond: bin('ne', v('sign'), i(0)), then: [{ k: 'assign', name: 'r', value: { k: 'unary', op: 'neg', a: { k: 'var', name: 'r', t: 'f32' }, t: 'f32' } }] },
    {
      k: 'if', cond: bin('ne', v('e'), i(0)), then: [
        {
          k: 'let', name: 'bits', value: sel(bin('eq', v('e'), i(31)),
            bin('or', bin('or', v('sign'), i(0x7f800000)), bin('shl', v('m'), i(13))),
            bin('or', bin('or', v('sign'), bin('shl', bin('add', v('e'), i(112)), i(23))), bin('shl', v('m'), i(13)))),
        },
        { k: 'assign', name: 'r', value: { k: 'bitcast', a: v('bits'), from: 'i32', t: 'f32' } },
      ],
    },
  ],
};

// f32 → f16 bits, round to nearest even, overflow to infinity, NaN kept quiet.
const f32ToF16: HelperFunction = {
  name: 'f32_to_f16',
  params: [{ name: 'x', t: 'f32' }],
  result: 'h',
  resultType: 'i32',
  body: [
    { k: 'let', name: 'bits', value: { k: 'bitcast', a: { k: 'var', name: 'x', t: 'f32' }, from: 'f32', t: 'i32' } },
    { k: 'let', name: 'sign', value: bin('and', bin('shr', v('bits'), i(16)), i(0x8000)) },
    { k: 'let', name: 'exp', value: bin('and', bin('shr', v('bits'), i(23)), i(0xff)) },
    { k: 'var', name: 'm', value: bin('and', v('bits'), i(0x7fffff)) },
    { k: 'let', name: 'e', value: bin('sub', v('exp'), i(112)) },
    { k: 'var', name: 'h', value: v('sign') },
    {
      k: 'if', cond: bin('eq', v('exp'), i(0xff)),
      then: [{ k: 'assign', name: 'h', value: bin('or', bin('or', v('sign'), i(0x7c00)), sel(bin('ne', v('m'), i(0)), i(0x200), i(0))) }],
      else: [{
        k: 'if', cond: bin('ge', v('e'), i(31)),
        then: [{ k: 'assign', name: 'h', value: bin('or', v('sign'), i(0x7c00)) }],
        else: [{
          k: 'if', cond: bin('le', v('e'), i(0)),
          then: [{
            k: 'if', cond: bin('ge', v('e'), i(-10)),
            then: [
              { k: 'assign', name: 'm', value: bin('or', v('m'), i(0x800000)) },
              { k: 'let', name: 'shift', value: bin('sub', i(14), v('e')) },
              { k: 'var', name: 'q', value: bin('shr', v('m'), v('shift')) },
              { k: 'let', name: 'rem', value: bin('and', v('m'), bin('sub', bin('shl', i(1), v('shift')), i(1))) },
              { k: 'let', name: 'half', value: bin('shl', i(1), bin('sub', v('shift'), i(1))) },
              { k: 'if', cond: bin('or', bin('gt', v('rem'), v('half')), bin('and', bin('eq', v('rem'), v('half')), bin('and', v('q'), i(1)))), then: [{ k: 'assign', name: 'q', value: bin('add', v('q'), i(1)) }] },
              { k: 'assign', name: 'h', value: bin('or', v('sign'), v('q')) },
            ],
          }],
          else: [
            { k: 'var', name: 'q2', value: bin('or', bin('shl', v('e'), i(10)), bin('shr', v('m'), i(13))) },
            { k: 'let', name: 'rem2', value: bin('and', v('m'), i(0x1fff)) },
            { k: 'if', cond: bin('or', bin('gt', v('rem2'), i(0x1000)), bin('and', bin('eq', v('rem2'), i(0x1000)), bin('and', v('q2'), i(1)))), then: [{ k: 'assign', name: 'q2', value: bin('add', v('q2'), i(1)) }] },
            { k: 'assign', name: 'h', value: bin('or', v('sign'), v('q2')) },
          ],
        }],
      }],
    },
  ],
};

// f32 → bf16 bits, round to nearest even.
const f32ToBf16: HelperFunction = {
  name: 'f32_to_bf16',
  params: [{ name: 'x', t: 'f32' }],
  result: 'h',
  resultType: 'i32',
  body: [
    { k: 'let', name: 'bits', value: { k: 'bitcast', a: { k: 'var', name: 'x', t: 'f32' }, from: 'f32', t: 'i32' } },
    { k: 'let', name: 'h', value: bin('and', bin('shr', bin('add', v('bits'), bin('add', i(0x7fff), bin('and', bin('shr', v('bits'), i(16)), i(1)))), i(16)), i(0xffff)) },
  ],
};

export const F16_HELPERS: readonly HelperFunction[] = [f16ToF32, f32ToF16, f32ToBf16];
