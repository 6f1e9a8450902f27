/** Running one compute: a context that records what it reads, then a fresh memo of the result. */
import { IreetsError } from '../util/errors.js';
import { ArrayDeps } from './array-deps.js';
import type { Canceller } from './cancellation.js';
import { Durability, minDurability } from './durability.js';
import type { InputQuery, Query, QueryContext } from './query.js';
import { SlotTable } from './slot-table.js';
import { UNUSABLE_FINGERPRINT, type Dep, type DerivedSlot, type Memo } from './slots.js';
import type { GraphState } from './state.js';
import type { Task } from './task.js';

/** How a context reads a derived query (demandValue; injected to keep the modules acyclic). */
export type ReadFn = (
  s: GraphState,
  slot: DerivedSlot,
  waiter: DerivedSlot | undefined,
  canceller: Canceller | undefined,
) => Promise<{ memo: Memo; value: unknown }>;

class Context implements QueryContext {
  readonly deps: Dep[] = [];
  durability: Durability = Durability.HIGH;
  /** Deps by query and key hash, once there are enough that a scan of `deps` costs more. */
  private seen: SlotTable<true> | undefined;
  private closed = false;

  constructor(
    private readonly s: GraphState,
    private readonly task: Task,
    private readonly slot: DerivedSlot,
    private readonly read: ReadFn,
  ) {}

  get signal(): AbortSignal {
    return this.task.signal;
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) {
      throw new IreetsError('INTERNAL', 'ctx used after its compute returned (a read was not awaited?)', this.slot.display());
    }
    if (this.task.aborted) throw this.task.reason;
  }

  /** First read wins: deps are verified in the order the compute first made them. */
  private record(dep: Dep): Dep | undefined {
    const deps = this.deps;
    if (deps.length < 16) {
      for (const d of deps) if (d.keyHash === dep.keyHash && d.query === dep.query) return undefined;
    } else {
      if (!this.seen) {
        this.seen = new SlotTable();
        for (const d of deps) this.seen.set(d.query, d.keyHash, true);
      }
      if (this.seen.get(dep.query, dep.keyHash)) return undefined;
      this.seen.set(dep.query, dep.keyHash, true);
    }
    deps.push(dep);
    return dep;
  }

  input<K, V>(query: InputQuery<K, V>, key: K): V {
    this.checkOpen();
    const input = this.s.inputSlot(query as InputQuery<unknown, unknown>, key);
    this.record({ query: input.query, keyHash: input.keyHash, input: true, fingerprint: input.fingerprint });
    this.durability = minDurability(this.durability, input.durability);
    return input.value as V;
  }

  async get<K, V>(query: Query<K, V>, key: K): Promise<V> {
    if (query.kind === 'input') return this.input(query, key);
    this.checkOpen();
    const slot = this.s.derivedSlot(query, key);
    const dep = this.record({ query: query.name, keyHash: slot.keyHash, input: false, fingerprint: UNUSABLE_FINGERPRINT });
    const { memo, value } = await this.read(this.s, slot, this.slot, this.task);
    if (dep) dep.fingerprint = memo.valueFp;
    this.durability = minDurability(this.durability, memo.durability);
    return value as V;
  }
}

/** Runs slot's compute under task. Throws the compute's error, or the task's cancellation. */
export async function execute(s: GraphState, task: Task, slot: DerivedSlot, read: ReadFn): Promise<Memo> {
  const ctx = new Context(s, task, slot, read);
  let value: unknown;
  try {
    value = await slot.query.compute(ctx, slot.key);
  } finally {
    ctx.close();
  }
  if (task.aborted) throw task.reason;
  let valueFp: string;
  try {
    valueFp = s.store.fingerprintValue(value);
  } catch (e) {
    // Name the query that returned it; the encoder only knows the offending type.
    throw e instanceof IreetsError ? new IreetsError(e.code, `returned a value that cannot be memoized (${e.message})`, slot.display(), { cause: e }) : e;
  }
  const old = slot.memo;
  return {
    value,
    loaded: true,
    valueLost: false,
    valueFp,
    deps: new ArrayDeps(ctx.deps),
    // Early cutoff: the same value keeps its old changedAt, so dependants stay green.
    changedAt: old && old.valueFp === valueFp ? old.changedAt : task.revision,
    verifiedAt: task.revision,
    durability: ctx.durability,
    persisted: false,
    untouched: false,
  };
}
