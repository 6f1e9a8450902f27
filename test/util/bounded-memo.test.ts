// The process-level memos (packed weights, decoded initializers) stay within their byte bound,
// dropping the least recently used entries first.
import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/util/bounded-memo.js';

describe('BoundedMemo', () => {
  it('evicts the least recently used entries to stay within its bytes', () => {
    const memo = new BoundedMemo<string>(100);
    memo.set('a', 'A', 40);
    memo.set('b', 'B', 40);
    expect(memo.get('a')).toBe('A'); // a is now the most recent
    memo.set('c', 'C', 40); // 120 > 100: b goes
    expect(memo.get('b')).toBeUndefined();
    expect(memo.get('a')).toBe('A');
    expect(memo.get('c')).toBe('C');
    expect(memo.bytes).toBe(80);
    expect(memo.size).toBe(2);
  });

  it('keeps nothing larger than its bound, and replaces an entry under the same key', () => {
    const memo = new BoundedMemo<number>(10);
    memo.set('big', 1, 11);
    expect(memo.get('big')).toBeUndefined();
    memo.set('k', 1, 6);
    memo.set('k', 2, 8);
    expect(memo.get('k')).toBe(2);
    expect(memo.bytes).toBe(8);
    memo.clear();
    expect(memo.size).toBe(0);
    expect(memo.bytes).toBe(0);
  });

  it('raises its bound on request, never lowers it', () => {
    const memo = new BoundedMemo<number>(10);
    memo.atLeast(30);
    memo.atLeast(5);
    expect(memo.maxBytes).toBe(30);
    memo.set('a', 1, 12);
    memo.set('b', 2, 12);
    expect([memo.get('a'), memo.get('b')]).toEqual([1, 2]);
  });
});
