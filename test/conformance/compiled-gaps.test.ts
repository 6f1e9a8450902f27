// Every case that passes on `ref` passes on each compiled backend, unless its failure falls in a
// known, stated gap (known-gaps.ts). Reads the committed status files; the conformance gate keeps
// those files true.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownGapOf } from './known-gaps.js';
import { committedStatusPath, readStatusFile } from './status-file.js';

const compiled = ['cpu', 'webgpu'].filter((b) => existsSync(committedStatusPath(b)));

describe.each(compiled)('backend %s against ref', (backend) => {
  it('fails only cases in a known gap', () => {
    const ref = readStatusFile(committedStatusPath('ref'));
    const mine = readStatusFile(committedStatusPath(backend));
    const unexplained: string[] = [];
    for (const [name, s] of Object.entries(ref)) {
      if (s.status !== 'pass') continue;
      const m = mine[name];
      if (!m || m.status === 'pass') continue;
      const gap = knownGapOf(m, name, backend);
      if (!gap) unexplained.push(`${name}: ${m.status} ${m.message ?? ''}`);
    }
    expect(unexplained, `cases passing on ref fail on ${backend} for no known reason`).toEqual([]);
  });
});
