/** Child process for the shared-directory test: commits `count` memos for query `name`. */
import { LmdbStore } from '../../src/cache/lmdb-store.js';

const [dir, name, count] = process.argv.slice(2) as [string, string, string];
const store = await LmdbStore.open({ cacheDir: dir });
for (let i = 0; i < Number(count); i++) {
  const key = { i };
  const value = `${name}-${i}`;
  const keyHash = store.fingerprintValue(key);
  const fp = store.fingerprintValue(value);
  await store.write({
    memos: [{ query: name, keyHash, version: '1', deps: [], valueFingerprint: fp }],
    values: new Map<string, unknown>([
      [fp, value],
      [keyHash, key],
    ]),
    touched: [],
    counters: { [name]: { hits: 0, misses: 1 } },
  });
}
await store.close();
