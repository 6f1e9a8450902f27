// `npm run bench`: every benchmark in bench/, one comparable line per case. Options after `--`
// go to each benchmark (e.g. `npm run bench -- --threads 2 --models resnet18`).
import { runCpuVsOrt } from './cpu-vs-ort.js';
import { runIncrementalBench } from './incremental.js';

async function main(argv: readonly string[]): Promise<void> {
  const pick = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (flag: string): string[] | undefined => pick(flag)?.split(',');
  const num = (flag: string): number | undefined => (pick(flag) === undefined ? undefined : Number(pick(flag)));
  await runCpuVsOrt({
    models: list('--models') as never,
    threads: list('--threads')?.map(Number),
    runs: num('--runs'),
    warmup: num('--warmup'),
    rounds: num('--rounds'),
    json: argv.includes('--json'),
  });
  await runIncrementalBench({ models: list('--models'), rounds: num('--rounds'), json: argv.includes('--json') });
  await (await import('./graph.js')).runGraphBench({ json: argv.includes('--json'), runs: num('--runs') ?? 5 });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
