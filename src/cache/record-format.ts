/**
 * The byte layout of persisted entries. Every record starts with FORMAT_VERSION, so records
 * written by another layout are recognised and ignored (recomputed), never misread.
 *
 *   value record: [format u8][canonical encoding]          key = fingerprint(encoding), its checksum
 *   memo record:  [format u8]
 *                 [query: varuint n + UTF-8][key hash: 8]   the key it must be filed under
 *                 [version: varuint n + UTF-8]
 *                 [value fingerprint: 8]
 *                 [dep query names: varuint count, each varuint n + UTF-8]
 *                 [deps: varuint count, then count fixed-width entries of
 *                        u16 LE (name index·2 + input), key hash: 8, fingerprint: 8]
 *                 [checksum: u32 LE, checksum32 of everything above]
 *                 [usedAt: float64 LE, ms]                   outside the checksum: a touch rewrites only it
 * Fingerprints and key hashes are stored as their 8 bytes (see fingerprint-bytes.ts). The
 * memo's key is not in its record: commits store every key as a value under its hash, read
 * only when a memo must re-run (or be displayed).
 *
 * The memo layout is hand-rolled rather than a canonical encoding of an object because a fresh
 * process reads one record per memo it verifies: reading one must cost well under a
 * microsecond. Fixed-width dependency entries let a loaded memo keep them as stored and decode
 * each only when verification reaches it (PackedDeps).
 */

/** Bump whenever the record layout or the value encoding changes. */
export const FORMAT_VERSION = 3;

/** A memo record's checksum and usedAt. */
export const TRAILER = 12;

export type Opened<T> = { ok: true; value: T } | { ok: false; reason: 'format' | 'corrupt'; detail: string };
