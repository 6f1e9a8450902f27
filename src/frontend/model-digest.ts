// The content digest of a model file, cheap to recompute after an edit. Hashing every byte of a
// 50 MB model costs more than reading it; but nearly all of those bytes are weights, and an edit
// rarely touches them. So the digest hashes the file with each large raw_data range replaced by
// (length, hash of its bytes), and looks each range's hash up among the contents this process
// decoded before (initializer-reuse.ts), so the import takes their tensors instead of decoding
// again. That is a pure function of the bytes: a fresh process, knowing no ranges, gets the same
// digest. Equal digests mean equal bytes, up to xxhash64 collisions.
//
// Files without large raw_data ranges, or that are not protobuf the skim can follow, are hashed
// as plain bytes (xxhash64, 16 hex digits). A structured digest carries a prefix of its own, so
// that no file's plain digest can equal another file's structured one.
//
// A ModelDigester digests a file while it is being read: each range is hashed as soon as its
// bytes are in, while they are still in cache, and little is left to do once the read is done.
import { ChunkedHasher, hashLargeBytes } from '../util/hash-chunked.js';
import { forgetProofs, knownRaw, MIN_REUSED_BYTES } from './initializer-reuse.js';
import { skimSteps, type Available, type ByteRange } from './onnx-skim.js';

/** Prefix of structured digests (plain ones are bare hex). */
export const STRUCTURED_DIGEST_PREFIX = 'm';

// The hashed stream is a sequence of records, each a tag byte and a length (u64 LE), then the
// gap's bytes (tag 0) or the 16 hex digits of the range's hash (tag 1): it parses back one way.
const GAP = 0;
const RANGE = 1;
const HEADER_BYTES = 9;

/**
 * The digest of a model file's bytes (requires initHashing()). Also records, for the import of
 * these very bytes, which large raw_data ranges equal contents decoded before.
 */
export function modelDigest(bytes: Uint8Array): string {
  return digestModel(bytes).digest;
}

/** modelDigest(bytes), and the external data locations its tensors name (ModelDigester.externalLocations). */
export function digestModel(bytes: Uint8Array): { digest: string; externalLocations: string[] } {
  const digester = new ModelDigester(bytes);
  digester.advance(bytes.length);
  const digest = digester.finish();
  return { digest, externalLocations: digester.externalLocations };
}

/** modelDigest() of `bytes`, fed while they are read in from the start (advance), then finished. */
export class ModelDigester {
  private readonly read: Available = { available: 0 };
  private readonly steps: Generator<ByteRange | number, boolean, void>;
  /** What the skim waits for: bytes up to an offset, or a range's bytes; undefined: ask it. */
  private waiting: ByteRange | number | undefined;
  /** true/false once the skim is through (whether it could follow the file). */
  private followed: boolean | undefined;
  private hasher: ChunkedHasher | undefined;
  /** Where the next gap starts: bytes before it are in the stream. */
  private at = 0;
  private readonly record = new Uint8Array(HEADER_BYTES + 16);
  private readonly fields = new DataView(this.record.buffer);
  private readonly locations = new Set<string>();

  constructor(private readonly bytes: Uint8Array) {
    // Whatever earlier digests proved of this memory held other bytes, or the same: prove again.
    forgetProofs(bytes);
    this.steps = skimSteps(bytes, MIN_REUSED_BYTES, this.read, this.locations);
  }

  /**
   * Once finished: the external data locations (as written, relative to the model's directory)
   * of the file's tensors, in file order; empty when the skim could not follow the file (the
   * import then reports what is wrong, or reads such data itself).
   */
  get externalLocations(): string[] {
    return this.followed ? [...this.locations] : [];
  }

  /** Bytes [0, n) of the file are in. */
  advance(n: number): void {
    this.read.available = n;
    while (this.followed === undefined) {
      const w = this.waiting;
      if (w !== undefined) {
        if (typeof w === 'number' ? n < w : n < w.end) return;
        if (typeof w !== 'number') this.range(w);
        this.waiting = undefined;
      }
      const step = this.steps.next();
      if (step.done) this.followed = step.value;
      else this.waiting = step.value;
    }
  }

  /** The digest, once all bytes are in. */
  finish(): string {
    this.advance(this.bytes.length);
    if (!this.followed || !this.hasher) return hashLargeBytes(this.bytes);
    if (this.at < this.bytes.length) this.gap(this.bytes.length);
    return `${STRUCTURED_DIGEST_PREFIX}${this.hasher.digest()}`;
  }

  private header(tag: number, length: number): void {
    this.record[0] = tag;
    this.fields.setUint32(1, length >>> 0, true);
    this.fields.setUint32(5, Math.floor(length / 2 ** 32), true);
  }

  /** Streams the gap before `end`. */
  private gap(end: number): void {
    this.header(GAP, end - this.at);
    this.hasher!.update(this.record.subarray(0, HEADER_BYTES)).update(this.bytes.subarray(this.at, end));
    this.at = end;
  }

  private range(r: ByteRange): void {
    this.hasher ??= new ChunkedHasher();
    if (r.start > this.at) this.gap(r.start);
    const { hash } = knownRaw(this.bytes.subarray(r.start, r.end), hashLargeBytes);
    this.header(RANGE, r.end - r.start);
    for (let i = 0; i < 16; i++) this.record[HEADER_BYTES + i] = hash!.charCodeAt(i);
    this.hasher.update(this.record);
    this.at = r.end;
  }
}
