/** The dependencies a compute recorded as it ran, behind the DepList interface of loaded memos. */
import type { DepList, Fingerprint } from '../cache/store.js';
import { hexWord } from './hex-words.js';
import type { Dep } from './slots.js';

export class ArrayDeps implements DepList {
  constructor(readonly items: readonly Dep[]) {}

  get length(): number {
    return this.items.length;
  }

  query(i: number): string {
    return this.items[i]!.query;
  }

  keyHash(i: number): Fingerprint {
    return this.items[i]!.keyHash;
  }

  fingerprint(i: number): Fingerprint {
    return this.items[i]!.fingerprint;
  }

  isInput(i: number): boolean {
    return this.items[i]!.input;
  }

  fingerprintIs(i: number, fp: Fingerprint): boolean {
    return this.items[i]!.fingerprint === fp;
  }

  keyHashHigh(i: number): number {
    return hexWord(this.items[i]!.keyHash, 0);
  }

  keyHashLow(i: number): number {
    return hexWord(this.items[i]!.keyHash, 8);
  }

  // NaN for a read that never produced a fingerprint: it equals no word.
  fingerprintHigh(i: number): number {
    const fp = this.items[i]!.fingerprint;
    return fp.length === 16 ? hexWord(fp, 0) : NaN;
  }

  fingerprintLow(i: number): number {
    const fp = this.items[i]!.fingerprint;
    return fp.length === 16 ? hexWord(fp, 8) : NaN;
  }
}
