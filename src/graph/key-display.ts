/** A short, human-readable rendering of a query key for events, errors and `--explain`. */
const MAX = 80;

export function formatKey(key: unknown): string {
  const s = render(key, 0);
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}

function render(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v.length > MAX ? v.slice(0, MAX) : v);
    case 'bigint':
      return `${v}n`;
    case 'object': {
      if (v === null) return 'null';
      if (depth > 2) return '…';
      if (Array.isArray(v)) return `[${v.slice(0, 8).map((x) => render(x, depth + 1)).join(', ')}${v.length > 8 ? ', …' : ''}]`;
      if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.byteLength} bytes)`;
      if (v instanceof Map || v instanceof Set) return `${v.constructor.name}(${v.size})`;
      const keys = Object.keys(v).sort();
      const parts = keys.slice(0, 8).map((k) => `${k}: ${render((v as Record<string, unknown>)[k], depth + 1)}`);
      return `{${parts.join(', ')}${keys.length > 8 ? ', …' : ''}}`;
    }
    default:
      return String(v);
  }
}
