// npm run conformance -- --backend ref [--filter REGEX] [--update] [--jobs N] [--timeout S] [--verbose]
//
// Runs ONNX's backend node tests on a backend, compares with the committed expectations
// (status-<backend>.json) and prints `N passed, M failed` as its last line. Exit code 1 when a
// case committed as passing no longer passes, 2 when the backend itself does not load.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES } from './backend.js';
import { listCases, NODE_TESTS_DIR } from './cases.js';
import { runCasesInWorkers } from './pool.js';
import { backendLoadLines, caseLines, diffLines, perOpLines, scopeLines, slowestLines } from './report.js';
import {
  committedStatusPath, diffStatuses, freshStatusPath, readStatusFile, toStatusMap, writeStatusFile,
} from './status-file.js';

const USAGE = 'usage: npm run conformance -- --backend ref [--filter REGEX] [--update] [--jobs N] [--timeout S] [--verbose] [--data DIR]';

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        backend: { type: 'string', default: 'ref' },
        filter: { type: 'string' },
        update: { type: 'boolean', default: false },
        jobs: { type: 'string', default: '2' },
        timeout: { type: 'string', default: '30' },
        verbose: { type: 'boolean', short: 'v', default: false },
        data: { type: 'string', default: NODE_TESTS_DIR },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const args = parseCommandLine();

const backend = args.backend!;
if (!BACKEND_NAMES.includes(backend)) {
  console.error(`unknown backend "${backend}" (known: ${BACKEND_NAMES.join(', ')})`);
  process.exit(2);
}
const filter = args.filter ? new RegExp(args.filter) : undefined;
const cases = listCases(args.data, filter);
const started = performance.now();
const results = await runCasesInWorkers(cases, {
  backendName: backend,
  jobs: Math.max(1, Number(args.jobs) || 2),
  caseTimeoutMs: Math.max(1, Number(args.timeout) || 30) * 1000,
});
const seconds = (performance.now() - started) / 1000;

const fresh = toStatusMap(results);
const committedPath = committedStatusPath(backend);
const committed = readStatusFile(committedPath);
const diff = diffStatuses(committed, fresh);

const backendBroken = backendLoadLines(results).length > 0;
let written: string;
if (args.update && backendBroken) {
  // Recording "everything errors" would disarm the gate; keep the committed file as it is.
  written = '(nothing: the backend did not load, so the committed file was left as it is)';
} else if (args.update) {
  // A filtered update refreshes only the cases it ran; a full one also drops cases that vanished.
  writeStatusFile(committedPath, filter ? { ...committed, ...fresh } : fresh);
  written = committedPath;
} else {
  writeStatusFile(freshStatusPath(backend), fresh);
  written = freshStatusPath(backend);
}

const out: string[] = [
  ...caseLines(results, args.verbose!),
  ...(args.verbose ? [...perOpLines(results), ...slowestLines(results)] : []),
  ...scopeLines(results),
  ...(args.update ? [] : diffLines(diff, backend)),
  ...backendLoadLines(results),
  `backend ${backend}: ${cases.length} cases in ${seconds.toFixed(1)} s; status written to ${written}`,
];
const passed = results.filter((r) => r.status === 'pass').length;
out.push(`${passed} passed, ${results.length - passed} failed`);
console.log(out.join('\n'));
process.exitCode = backendBroken ? 2 : !args.update && diff.regressions.length ? 1 : 0;
