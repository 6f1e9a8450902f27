/** A Store that lives and dies with the process: tests, one-shot builds. Same bytes as on disk. */
import { initHashing } from './hashing.js';
import { RecordStore } from './record-store.js';
import { memoryTables } from './tables.js';

export class MemoryStore extends RecordStore {
  private constructor() {
    super(memoryTables());
  }

  static async create(): Promise<MemoryStore> {
    await initHashing();
    return new MemoryStore();
  }
}
