/**
 * How rarely an input changes. A memo's durability is the lowest of everything it read; if no
 * input of at least that durability changed since the memo was last verified, it is valid
 * without walking its dependencies (a model edit never re-walks the option-only subgraph).
 */
export const Durability = { LOW: 0, MEDIUM: 1, HIGH: 2 } as const;
export type Durability = (typeof Durability)[keyof typeof Durability];

export function minDurability(a: Durability, b: Durability): Durability {
  return a < b ? a : b;
}
