import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface CacheDirOptions {
  /** Explicit choice, e.g. from `--cache-dir`. */
  cacheDir?: string | undefined;
  /** Environment to read IREETS_CACHE_DIR from (defaults to process.env). */
  env?: Record<string, string | undefined>;
}

/** Where the build cache lives: explicit option > $IREETS_CACHE_DIR > ~/.cache/ireets. */
export function resolveCacheDir(options: CacheDirOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.cacheDir) return resolve(options.cacheDir);
  const fromEnv = env['IREETS_CACHE_DIR'];
  if (fromEnv) return resolve(fromEnv);
  return join(homedir(), '.cache', 'ireets');
}
