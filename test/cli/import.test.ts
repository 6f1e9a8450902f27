import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { formatOpCounts, importCommand } from '../../cli/commands/import.js';
import { importModel } from '../../src/frontend/import-model.js';
import { IreetsError } from '../../src/util/errors.js';

const MODEL = '/usr/share/libonnx-testdata/data/node/test_loop11/model.onnx';

describe('ireets import', () => {
  it('prints the IR and a table of op counts', async () => {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      chunks.push(String(s));
      return true;
    });
    try {
      await (importCommand.handler as (a: unknown) => Promise<void>)({ model: MODEL, after: 'infer', _: [], $0: 'ireets' });
    } finally {
      spy.mockRestore();
    }
    const out = chunks.join('');
    expect(out).toContain('func @main(%trip_count: i64[], %cond: bool[], %y: f32[1])');
    expect(out).toMatch(/loop\s+1/);
    expect(out).toContain('total nodes:');
    expect(out).toMatch(/constants: \d+ \(\d+ bytes\)/);
  });

  it('counts ops inside regions', async () => {
    const table = formatOpCounts(await importModel(readFileSync(MODEL)));
    expect(table).toMatch(/^add\s+2$/m);
    expect(table).toContain('total nodes: ');
  });

  it('fails with an IreetsError for a missing file', async () => {
    await expect((importCommand.handler as (a: unknown) => Promise<void>)({ model: '/no/such.onnx', after: 'import' }))
      .rejects.toBeInstanceOf(IreetsError);
  });
});
