import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initHashing } from '../../src/util/hash.js';
import { BytecodeBuilder, iReg, rReg } from '../../src/vm/bytecode-builder.js';
import { ModuleAssembler } from '../../src/vm/module-assembler.js';
import { writeModule, SECTION_ALIGNMENT } from '../../src/vm/module-writer.js';
import { readModule } from '../../src/vm/module-reader.js';
import { VmInstance } from '../../src/vm/interpreter.js';
import { disassemble } from '../../src/vm/disassembler.js';
import { Op } from '../../src/vm/opcodes.js';
import { IreetsError } from '../../src/util/errors.js';

beforeAll(async () => {
  await initHashing();
});

/** sum(0..n-1) with a loop, then an import call that sees the sum and a rodata view. */
function loopModule(): ModuleAssembler {
  const asm = new ModuleAssembler();
  const report = asm.importFn('test.report', ['i', 'r'], ['i']);
  const weights = asm.addRodata(new Uint8Array([1, 2, 3, 4, 5]));
  const b = new BytecodeBuilder();
  const loop = b.label();
  const done = b.label();
  // i0 = n (param), i1 = acc, i2 = k, i3 = 1, i4 = exit condition, i6 = 0
  b.constI(1, 0).constI(2, 0).constI(3, 1).constI(6, 0);
  b.bind(loop);
  b.binaryI(Op.CmpLtI, 4, 2, 0);
  b.binaryI(Op.CmpEqI, 4, 4, 6);
  b.brIf(4, done);
  b.binaryI(Op.AddI, 1, 1, 2);
  b.binaryI(Op.AddI, 2, 2, 3);
  b.br(loop);
  b.bind(done);
  b.constRodata(0, weights);
  b.callImport(report, [iReg(1), rReg(0)], [iReg(5)]);
  b.ret([iReg(5)]);
  const fn = asm.addFunction('main', ['i'], ['i'], 7, 1, b);
  asm.exports.push({ name: 'main', functionIndex: fn, inputs: [], outputs: [] });
  return asm;
}

describe('VM module', () => {
  it('round-trips through the file format and runs', async () => {
    const bytes = writeModule(loopModule().finish());
    const mod = readModule(bytes);
    const seen: unknown[] = [];
    const vm = new VmInstance(mod, {
      'test.report': ([sum, data]) => {
        seen.push(sum, Array.from(data as Uint8Array));
        return [(sum as number) * 10];
      },
    });
    expect(await vm.invokeExport('main', [5])).toEqual([100]);
    expect(await vm.invokeExport('main', [0])).toEqual([0]);
    expect(seen).toEqual([10, [1, 2, 3, 4, 5], 0, [1, 2, 3, 4, 5]]);
  });

  it('is deterministic and aligns rodata for zero-copy views', () => {
    const a = writeModule(loopModule().finish());
    const b = writeModule(loopModule().finish());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const mod = readModule(a);
    expect(mod.rodata[0]!.byteOffset % SECTION_ALIGNMENT).toBe(0);
    expect(mod.rodata[0]!.buffer).toBe(a.buffer);
  });

  it('disassembles to a stable listing', () => {
    const text = disassemble(readModule(writeModule(loopModule().finish())));
    expect(text).toContain('func #0 main(i) -> (i)');
    expect(text).toContain('call.import test.report(i1, r0) -> (i5)');
    expect(text).toMatch(/br_if i4, @\d+/);
  });

  it('refuses a module whose import the runtime lacks', () => {
    const mod = readModule(writeModule(loopModule().finish()));
    expect(() => new VmInstance(mod, {})).toThrow(/test\.report/);
  });

  it('refuses bytecode with out-of-range registers or bad branch targets', () => {
    const asm = new ModuleAssembler();
    const b = new BytecodeBuilder().binaryI(Op.AddI, 9, 0, 0).ret([]);
    asm.addFunction('f', [], [], 2, 0, b);
    expect(() => readModule(writeModule(asm.finish()))).toThrow(/register i9 out of range/);
  });

  it('traps on fail with the message', async () => {
    const asm = new ModuleAssembler();
    const msg = asm.string('input x has batch 3, module expects 1..2');
    const fn = asm.addFunction('f', [], [], 0, 0, new BytecodeBuilder().fail(msg));
    asm.exports.push({ name: 'f', functionIndex: fn, inputs: [], outputs: [] });
    const vm = new VmInstance(readModule(writeModule(asm.finish())), {});
    await expect(vm.invokeExport('f', [])).rejects.toThrow(/batch 3/);
  });

  it('refuses every corrupted or truncated file with MODULE_CORRUPT (fuzz)', () => {
    const good = writeModule(loopModule().finish());
    fc.assert(
      fc.property(
        fc.nat({ max: good.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (at, xor, truncate) => {
          const bad = truncate ? good.slice(0, at) : Uint8Array.from(good);
          if (!truncate) bad[at] = bad[at]! ^ xor;
          try {
            readModule(bad, 'fuzz.vmfb');
          } catch (e) {
            expect(e).toBeInstanceOf(IreetsError);
            expect((e as IreetsError).code).toBe('MODULE_CORRUPT');
            expect((e as IreetsError).message).toContain('fuzz.vmfb');
            return;
          }
          // Only flips that land in alignment padding may go unnoticed… but the checksum covers
          // everything past the header, so nothing may be accepted.
          throw new Error(`corruption at byte ${at} was accepted`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
