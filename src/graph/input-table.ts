/**
 * The inputs set in this process, by (query, key hash) and also by the words of the key hash
 * and fingerprint, so that a memo kept packed is checked against them without any strings.
 */
import { hexWord } from './hex-words.js';
import { SlotTable } from './slot-table.js';
import type { InputSlot } from './slots.js';

/** An input as its words (see DepList), and the slot they stand for. */
export interface InputWords {
  readonly query: string;
  readonly keyHigh: number;
  readonly fingerprintHigh: number;
  readonly fingerprintLow: number;
  readonly slot: InputSlot;
}

export class InputTable {
  private readonly byKey = new SlotTable<InputSlot>();
  /** By the key hash's low word: the (almost always one) inputs with that word. */
  private readonly byWords = new Map<number, InputWords[]>();

  get(query: string, keyHash: string): InputSlot | undefined {
    return this.byKey.get(query, keyHash);
  }

  getByWords(query: string, keyHigh: number, keyLow: number): InputWords | undefined {
    const same = this.byWords.get(keyLow);
    if (!same) return undefined;
    for (const w of same) if (w.keyHigh === keyHigh && w.query === query) return w;
    return undefined;
  }

  set(query: string, keyHash: string, slot: InputSlot): void {
    this.byKey.set(query, keyHash, slot);
    const low = hexWord(keyHash, 8);
    const words: InputWords = {
      query,
      keyHigh: hexWord(keyHash, 0),
      fingerprintHigh: hexWord(slot.fingerprint, 0),
      fingerprintLow: hexWord(slot.fingerprint, 8),
      slot,
    };
    const same = this.byWords.get(low);
    if (!same) this.byWords.set(low, [words]);
    else {
      const i = same.findIndex((w) => w.query === query && w.slot.keyHash === keyHash);
      if (i >= 0) same[i] = words;
      else same.push(words);
    }
  }

  values(): IterableIterator<InputSlot> {
    return this.byKey.values();
  }
}
