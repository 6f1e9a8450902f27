const textEncoder = new TextEncoder();

/** Bytes of s in UTF-8 as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    } else {
      n += 3;
    }
  }
  return n;
}

/** A growable byte buffer with the few primitives the value encoding needs. */
export class ByteWriter {
  private buf: Uint8Array;
  private dv: DataView;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(initialCapacity);
    this.dv = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.len);
    this.len += src.length;
  }

  float64(x: number): void {
    this.reserve(8);
    this.dv.setFloat64(this.len, x, false);
    this.len += 8;
  }

  /** Unsigned LEB128 for non-negative safe integers; arithmetic, not bit ops, so 2^53 works. */
  varuint(n: number): void {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.byte(n);
  }

  /** Writes a string as varint byte length + UTF-8; ASCII (the common case) skips TextEncoder. */
  string(s: string): void {
    const n = s.length;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      // Straight into the buffer: TextEncoder.encode would allocate an ArrayBuffer per string,
      // and with large buffers alive (a model's bytes) such allocations can set off a full GC.
      const length = utf8Length(s);
      this.varuint(length);
      this.reserve(length);
      const { written } = textEncoder.encodeInto(s, this.buf.subarray(this.len, this.len + length));
      if (written !== length) throw new Error(`UTF-8 length of a string: counted ${length}, wrote ${written}`);
      this.len += length;
      return;
    }
    this.varuint(n);
    this.reserve(n);
    for (let i = 0; i < n; i++) this.buf[this.len + i] = s.charCodeAt(i);
    this.len += n;
  }

  /** Writes an ASCII string's bytes as they are, without a length (fixed-width fields). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    for (let i = 0; i < n; i++) this.buf[this.len + i] = s.charCodeAt(i) & 0x7f;
    this.len += n;
  }

  /** The written bytes (a copy sized to fit, so the caller may keep it). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  /** The written bytes without copying; valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  reset(): void {
    this.len = 0;
  }

  get capacity(): number {
    return this.buf.length;
  }
}

/** Reads what ByteWriter wrote; every read is bounds-checked so truncated input fails cleanly. */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError(`truncated: need ${n} bytes at offset ${this.pos}`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  float64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return x;
  }

  varuint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError(`varint too long at offset ${this.pos}`);
    }
    return n;
  }
}
