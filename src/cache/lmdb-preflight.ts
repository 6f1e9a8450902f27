/**
 * Checks a directory before LMDB opens it. LMDB trusts its files: a lock file that is not a
 * file, or a data file that is truncated or not LMDB's, crashes the process (SIGSEGV, SIGBUS)
 * instead of failing. Whatever is found here makes the store run in memory rather than crash.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IreetsError } from '../util/errors.js';

const MAGIC = 0xbeefc0de;
/**
 * The meta page layout of the LMDB that lmdb-js bundles (24-byte page header): the page size
 * rides in the free-list DB's md_pad; md_root of the free-list and main DBs; the last page.
 */
const META = { magic: 24, pageSize: 48, freeRoot: 88, mainRoot: 136, lastPage: 144, txnId: 152, size: 160 } as const;

/** Throws CACHE_IO (unusable: unwritable, locked, not a directory) or CACHE_CORRUPT (damaged data file). */
export function checkLmdbDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
    // access(W_OK) is true for root even on a read-only mount: actually write.
    const probe = join(path, `.probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (e) {
    throw new IreetsError('CACHE_IO', `cannot write there (${(e as Error).message})`, path, { cause: e });
  }
  for (const name of ['lock.mdb', 'data.mdb']) {
    const file = join(path, name);
    let isFile: boolean;
    try {
      isFile = statSync(file).isFile();
    } catch {
      continue; // absent: LMDB creates it
    }
    if (!isFile) throw new IreetsError('CACHE_IO', `${name} is not a file (locked or in use by something else)`, file);
  }
  checkDataFile(join(path, 'data.mdb'));
}

function checkDataFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return; // absent
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return; // LMDB initialises an empty file
    const damaged = (why: string) => new IreetsError('CACHE_CORRUPT', `the database file is damaged (${why}); \`ireets cache clear\` resets it`, file);
    const meta0 = readAt(fd, 0, META.size);
    if (!meta0 || meta0.getUint32(META.magic, true) !== MAGIC) throw damaged('not an LMDB file');
    const pageSize = meta0.getUint32(META.pageSize, true);
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw damaged(`page size ${pageSize}`);
    const meta1 = readAt(fd, pageSize, META.size);
    if (!meta1 || meta1.getUint32(META.magic, true) !== MAGIC) throw damaged('truncated');
    // LMDB opens at the meta page of the newer transaction and reads its roots at once; the
    // file must reach them, and every page before its last one (the last may be allocated but
    // not yet written, so it is not required).
    const meta = meta1.getBigUint64(META.txnId, true) > meta0.getBigUint64(META.txnId, true) ? meta1 : meta0;
    const page = (at: number) => Number(meta.getBigUint64(at, true));
    const NO_PAGE = 2 ** 64 - 1; // md_root of an empty DB (as a double: close enough to compare)
    const roots = [page(META.freeRoot), page(META.mainRoot)].filter((p) => p < NO_PAGE / 2);
    const needed = Math.max(page(META.lastPage), ...roots.map((r) => r + 1)) * pageSize;
    if (size < needed) throw damaged(`truncated: ${size} bytes, needs ${needed}`);
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): DataView | undefined {
  const buf = new Uint8Array(length);
  return readSync(fd, buf, 0, length, position) === length ? new DataView(buf.buffer) : undefined;
}
