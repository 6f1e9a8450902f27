// A module file on disk as the one self-contained module it stands for: a module written with its
// weights in a parameter archive is read with the archive and written again embedded, so tests
// can compare it byte for byte with a clean in-memory build.
import { readModuleFiles } from '../../src/runtime/module-files.js';
import { initHashing } from '../../src/util/hash.js';
import { readModule } from '../../src/vm/module-reader.js';
import { writeModule } from '../../src/vm/module-writer.js';
import { readArchive } from '../../src/vm/parameter-archive.js';

export async function embeddedModuleOf(path: string): Promise<Uint8Array> {
  await initHashing();
  const files = await readModuleFiles(path);
  if (!files.parameters) return files.module;
  return writeModule(readModule(files.module, path, readArchive(files.parameters.bytes, files.parameters.name)));
}

/** Whether the module file at `path` (and its archive, if it names one) holds exactly `embedded`. */
export async function sameModuleFile(path: string, embedded: Uint8Array): Promise<boolean> {
  return Buffer.from(await embeddedModuleOf(path)).equals(Buffer.from(embedded));
}
