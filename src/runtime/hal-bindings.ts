import type { BufferBinding, HalBuffer, HalCommandBuffer, HalDevice, HalExecutable } from '../hal/types.js';
import type { ImportFn } from '../vm/interpreter.js';
import { HAL_IMPORTS, parseDispatchImport } from '../vm/hal-imports.js';
import type { VmModule } from '../vm/module.js';

/** Binds the host program's HAL imports to one device. */
export function bindHalImports(mod: VmModule, device: HalDevice): Record<string, ImportFn> {
  const executables = new Map<number, Promise<HalExecutable>>();
  const semaphore = device.createSemaphore(0);
  let timeline = 0;
  const fns: Record<string, ImportFn> = {
    [HAL_IMPORTS.allocate.name]: ([n]) => [device.allocator.allocate(n as number, 'transient')],
    [HAL_IMPORTS.release.name]: ([b]) => {
      device.allocator.release(b as HalBuffer);
      return [];
    },
    [HAL_IMPORTS.loadExecutable.name]: async ([i]) => {
      const index = i as number;
      let p = executables.get(index);
      if (!p) {
        const e = mod.executables[index]!;
        p = device.loadExecutable({ format: e.format, code: e.code, meta: e.meta });
        executables.set(index, p);
      }
      return [await p];
    },
    [HAL_IMPORTS.constantBuffer.name]: ([bytes]) => [device.allocator.importConstant(bytes as Uint8Array)],
    [HAL_IMPORTS.createCommandBuffer.name]: () => [device.createCommandBuffer()],
    [HAL_IMPORTS.copy.name]: ([cb, src, so, dst, dof, len]) => {
      (cb as HalCommandBuffer).copy(src as HalBuffer, so as number, dst as HalBuffer, dof as number, len as number);
      return [];
    },
    [HAL_IMPORTS.barrier.name]: ([cb]) => {
      (cb as HalCommandBuffer).barrier();
      return [];
    },
    [HAL_IMPORTS.submitAndWait.name]: async ([cb]) => {
      timeline++;
      device.submit([cb as HalCommandBuffer], semaphore, timeline);
      await semaphore.wait(timeline);
      return [];
    },
    [HAL_IMPORTS.loadU8.name]: async ([buf, off]) => [(await device.read(buf as HalBuffer, off as number, 1))[0]!],
    [HAL_IMPORTS.loadI64.name]: async ([buf, off]) => {
      const bytes = await device.read(buf as HalBuffer, off as number, 8);
      return [Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true))];
    },
    [HAL_IMPORTS.storeU8.name]: async ([buf, off, v]) => {
      await device.write(buf as HalBuffer, off as number, Uint8Array.of(v as number));
      return [];
    },
    [HAL_IMPORTS.storeI64.name]: async ([buf, off, v]) => {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, BigInt(v as number), true);
      await device.write(buf as HalBuffer, off as number, bytes);
      return [];
    },
  };
  for (const imp of mod.imports) {
    const arity = parseDispatchImport(imp.name);
    if (!arity || fns[imp.name]) continue;
    fns[imp.name] = (args) => {
      const [cb, exe, entry, wx, wy, wz] = args as [HalCommandBuffer, HalExecutable, number, number, number, number];
      const bindings: BufferBinding[] = [];
      let p = 6;
      for (let b = 0; b < arity.numBindings; b++, p += 3) {
        bindings.push({ buffer: args[p] as HalBuffer, offset: args[p + 1] as number, length: args[p + 2] as number });
      }
      cb.dispatch(exe, entry, [wx, wy, wz], bindings, args.slice(p) as number[]);
      return [];
    };
  }
  return fns;
}
