/** Slots of the Int32Array control block shared by the dispatching thread and the workers. */
export const CTRL = {
  generation: 0,
  executable: 1,
  entry: 2,
  bindings: 3,
  constants: 4,
  countX: 5,
  countY: 6,
  countZ: 7,
  nextWorkgroup: 8,
  finishedWorkers: 9,
  failed: 10,
  shutdown: 11,
} as const;
export const CTRL_SLOTS = 16;

export type ToWorker =
  | { type: 'init'; memory: WebAssembly.Memory; control: SharedArrayBuffer }
  | { type: 'load'; id: number; module: WebAssembly.Module; entryPoints: string[] };

export type FromWorker = { type: 'ready' } | { type: 'loaded'; id: number } | { type: 'error'; message: string };
