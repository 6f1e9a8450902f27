/// <reference types="@webgpu/types" />

/**
 * Bind groups by (executable, entry, buffers, ranges): a model's dispatches bind the same arena
 * ranges every run, so groups are made once. Releasing a buffer drops the groups that use it.
 */
export class BindGroupCache {
  private readonly groups = new Map<string, GPUBindGroup>();
  private readonly keysOfBuffer = new Map<number, Set<string>>();

  constructor(private readonly capacity = 8192) {}

  get(key: string, bufferIds: readonly number[], create: () => GPUBindGroup): GPUBindGroup {
    let g = this.groups.get(key);
    if (g) return g;
    if (this.groups.size >= this.capacity) this.clear();
    g = create();
    this.groups.set(key, g);
    for (const id of bufferIds) {
      let keys = this.keysOfBuffer.get(id);
      if (!keys) this.keysOfBuffer.set(id, (keys = new Set()));
      keys.add(key);
    }
    return g;
  }

  dropBuffer(id: number): void {
    for (const k of this.keysOfBuffer.get(id) ?? []) this.groups.delete(k);
    this.keysOfBuffer.delete(id);
  }

  clear(): void {
    this.groups.clear();
    this.keysOfBuffer.clear();
  }
}
