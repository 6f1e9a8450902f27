import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where Debian's libonnx-testdata puts ONNX's backend node tests (ONNX 1.12, opset <= 17). */
export const NODE_TESTS_DIR = '/usr/share/libonnx-testdata/data/node';

/** One ONNX backend test case: a model and one or more data sets of inputs and expected outputs. */
export interface ConformanceCase {
  readonly name: string;
  readonly dir: string;
  readonly modelPath: string;
  readonly dataSets: readonly DataSetFiles[];
}

export interface DataSetFiles {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

/** Lists every case under `root` (sorted by name), optionally only those whose name matches `filter`. */
export function listCases(root = NODE_TESTS_DIR, filter?: RegExp): ConformanceCase[] {
  if (!existsSync(root)) throw new Error(`ONNX test data not found at ${root} (apt-get install libonnx-testdata)`);
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && (!filter || filter.test(d.name)))
    .map((d) => d.name)
    .sort()
    .map((name) => describeCase(name, join(root, name)));
}

function describeCase(name: string, dir: string): ConformanceCase {
  const dataSets = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name.startsWith('test_data_set_'))
    .map((d) => d.name)
    .sort(byTrailingNumber)
    .map((setName) => {
      const files = readdirSync(join(dir, setName));
      return {
        name: setName,
        inputs: numbered(files, 'input_').map((f) => join(dir, setName, f)),
        outputs: numbered(files, 'output_').map((f) => join(dir, setName, f)),
      };
    });
  return { name, dir, modelPath: join(dir, 'model.onnx'), dataSets };
}

/** `prefix0.pb`, `prefix1.pb`, ... in numeric order (so 10 comes after 9). */
function numbered(files: readonly string[], prefix: string): string[] {
  return files.filter((f) => f.startsWith(prefix) && f.endsWith('.pb')).sort(byTrailingNumber);
}

function byTrailingNumber(a: string, b: string): number {
  const na = Number(/(\d+)(?:\.pb)?$/.exec(a)?.[1] ?? 0);
  const nb = Number(/(\d+)(?:\.pb)?$/.exec(b)?.[1] ?? 0);
  return na - nb || a.localeCompare(b);
}
