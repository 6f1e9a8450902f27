// File changes as an observable. Each file is watched through its directory, not its inode:
// editors often save by writing a new file and renaming it over the old one, which a watch on
// the file itself would stop seeing after the first save.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Observable } from 'rxjs';
import { IreetsError } from '../util/errors.js';

/** Emits the given name of a watched file (name → path pairs; a name may cover several files) whenever it may have changed. */
export function fileChanges<Name extends string>(files: Iterable<readonly [Name, string]>): Observable<Name> {
  return new Observable<Name>((subscriber) => {
    const byDir = new Map<string, Map<string, Name>>();
    for (const [name, path] of files) {
      const dir = dirname(resolve(path));
      const names = byDir.get(dir) ?? new Map<string, Name>();
      names.set(basename(path), name);
      byDir.set(dir, names);
    }
    const watchers: FSWatcher[] = [];
    try {
      for (const [dir, names] of byDir) {
        const w = watch(dir, { persistent: true }, (_event, filename) => {
          // Without a name (rare platforms) any change in the directory may be ours.
          if (filename === null) for (const n of names.values()) subscriber.next(n);
          else {
            const n = names.get(filename.toString());
            if (n !== undefined) subscriber.next(n);
          }
        });
        w.on('error', (e) => subscriber.error(new IreetsError('INPUT_INVALID', `cannot watch ${dir}: ${e.message}`, dir, { cause: e })));
        watchers.push(w);
      }
    } catch (e) {
      for (const w of watchers) w.close();
      throw new IreetsError('INPUT_INVALID', `cannot watch for changes: ${(e as Error).message}`, undefined, { cause: e });
    }
    return () => {
      for (const w of watchers) w.close();
    };
  });
}
