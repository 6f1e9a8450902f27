#!/usr/bin/env node
// The ireets command line: thin commands over the public API (src/). Each command lives in
// cli/commands/<name>.ts and exports a yargs CommandModule.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { isIreetsError } from '../src/util/errors.js';
import { cacheCommand } from './commands/cache.js';
import { importCommand } from './commands/import.js';
import { compileCommand } from './commands/compile.js';
import { runCommand } from './commands/run.js';
import { dumpCommand } from './commands/dump.js';
import { benchCommand } from './commands/bench.js';
import { watchCommand } from './commands/watch.js';
import { tuneCommand } from './commands/tune.js';

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('ireets')
    .option('cache-dir', {
      type: 'string',
      describe: 'build cache directory (default: $IREETS_CACHE_DIR or ~/.cache/ireets)',
      global: true,
    })
    .option('verbose', {
      type: 'boolean',
      default: false,
      describe: 'more detail (device, timings) and stack traces on errors',
      global: true,
    })
    .command(cacheCommand)
    .command(importCommand)
    .command(compileCommand)
    .command(runCommand)
    .command(dumpCommand)
    .command(benchCommand)
    .command(watchCommand)
    .command(tuneCommand)
    .demandCommand(1, 'name a command; see --help')
    .strict()
    .fail((msg, err, y) => {
      if (err) throw err;
      y.showHelp();
      process.stderr.write(`\n${msg}\n`);
      process.exit(2);
    })
    .help()
    .parseAsync();
}

main().catch((e: unknown) => {
  // One line per error for users; the stack only when asked for.
  const verbose = process.argv.includes('--verbose');
  if (isIreetsError(e)) {
    process.stderr.write(`ireets: error [${e.code}]: ${e.message}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
  } else {
    process.stderr.write(`ireets: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.exit(1);
});
