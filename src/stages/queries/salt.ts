// Version salts of the compiler queries: a hash of the source code each query's result depends
// on, so a cache filled by another build of the compiler is ignored (recomputed) rather than
// trusted. Each query lists the source folders (under src/, or dist/src/ when built) it reads.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when the shape of a query's value changes without any source folder below changing. */
const QUERY_FORMAT = 2;

const SOURCE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const folderHashes = new Map<string, string>();

/** sha256 over every source file under `folder` (relative paths and contents, sorted). */
function hashFolder(folder: string): string {
  let cached = folderHashes.get(folder);
  if (cached !== undefined) return cached;
  const h = createHash('sha256');
  const walk = (dir: string, rel: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      h.update(`missing ${rel}\n`); // e.g. bundled: the package version salt still applies
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path, `${rel}/${e.name}`);
      else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        h.update(`${rel}/${e.name}\n`);
        h.update(readFileSync(path));
      }
    }
  };
  walk(join(SOURCE_ROOT, folder), folder);
  cached = h.digest('hex');
  folderHashes.set(folder, cached);
  return cached;
}

/** The salt for a query that depends on code in `folders` (e.g. ['ir', 'codegen']). */
export function sourceSalt(folders: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`format ${QUERY_FORMAT}\n`);
  for (const f of [...folders].sort()) h.update(`${f} ${hashFolder(f)}\n`);
  return h.digest('hex').slice(0, 16);
}

/** The salt of a query whose result depends on no source code, only on the value format. */
export function formatSalt(name: string): string {
  return `${name}-format-${QUERY_FORMAT}`;
}
