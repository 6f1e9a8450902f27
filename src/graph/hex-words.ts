/**
 * A fingerprint's two 32-bit words from its 16 hex digits, as DepList gives them for stored
 * dependencies: the engine indexes memos kept in columns by these (see cold-memos.ts).
 */
export function hexWord(fp: string, offset: 0 | 8): number {
  let w = 0;
  for (let i = offset; i < offset + 8; i++) {
    const c = fp.charCodeAt(i);
    w = (w << 4) | (c <= 57 ? c - 48 : c - 87);
  }
  return w;
}

/** Char codes of '0'..'9', 'a'..'f'. */
const DIGIT = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];

/** The 16 hex digits whose words are high and low (hexWord's inverse). */
export function wordsHex(high: number, low: number): string {
  const d = (w: number, shift: number) => DIGIT[(w >>> shift) & 15]!;
  return String.fromCharCode(
    d(high, 28), d(high, 24), d(high, 20), d(high, 16), d(high, 12), d(high, 8), d(high, 4), d(high, 0),
    d(low, 28), d(low, 24), d(low, 20), d(low, 16), d(low, 12), d(low, 8), d(low, 4), d(low, 0),
  );
}
