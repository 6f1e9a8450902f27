// How fast memory is read again after the process leaves it idle: two 56 MB buffers (MiniLM's
// weights) compared with memcmp right after they were written, then after idle gaps. On the
// Firecracker VM this project is developed on, memory idle for a second reads several times
// slower, which is why the model digest hashes freshly read bytes instead of comparing them with
// the previous read's (src/frontend/initializer-reuse.ts).
//   node --import tsx bench/idle-memory.ts   (no imports from the project)
const BYTES = 56 << 20;
const a = Buffer.alloc(BYTES, 1);
const b = Buffer.alloc(BYTES, 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const compare = (): number => {
  const t = performance.now();
  a.equals(b);
  return performance.now() - t;
};
const rows: string[] = [];
for (const idle of [0, 50, 200, 1000, 3000, 0, 50, 1000]) {
  await sleep(idle);
  rows.push(`${idle} ms idle: ${compare().toFixed(1)} ms`);
}
console.log(`memcmp of 2 × 56 MB after idle gaps: ${rows.join(' | ')}`);
