// Types, constants and global variables shared by every entry point of one SPIR-V module.
import { SpirvModuleBuilder, f32Bits } from './module-builder.js';
import { BuiltIn, Decoration, Op, StorageClass } from './spirv-enums.js';

/** The scalar types kernels compute in on the GPU (64-bit types are narrowed to these). */
export type Num = 'f32' | 'i32' | 'u32';

/** A typed SSA value. */
export interface Val {
  readonly id: number;
  readonly t: Num;
}

export type BuiltInName = 'WorkgroupId' | 'LocalInvocationId';

export class ModuleTypes {
  private readonly storageStructs = new Map<Num, number>();
  private readonly pushStructs = new Map<number, number>();
  private readonly builtins = new Map<BuiltInName, number>();
  private glslSet: number | undefined;

  constructor(readonly b: SpirvModuleBuilder) {}

  get void(): number { return this.b.typeVoid(); }
  get bool(): number { return this.b.typeBool(); }
  get f32(): number { return this.b.typeFloat(32); }
  get i32(): number { return this.b.typeInt(32, true); }
  get u32(): number { return this.b.typeInt(32, false); }
  get v3u32(): number { return this.b.typeVector(this.u32, 3); }

  num(t: Num): number {
    return t === 'f32' ? this.f32 : t === 'i32' ? this.i32 : this.u32;
  }

  pointer(storageClass: number, pointee: number): number {
    return this.b.typePointer(storageClass, pointee);
  }

  /** Constant of type `t`; integers wrap to 32 bits, floats round to f32. */
  constant(t: Num, v: number): number {
    return this.b.constant32(this.num(t), t === 'f32' ? f32Bits(v) : v >>> 0);
  }

  /** The GLSL.std.450 extended instruction set, imported on first use. */
  get glsl(): number {
    this.glslSet ??= this.b.extInstImport('GLSL.std.450');
    return this.glslSet;
  }

  /** An Input variable of type uvec3 decorated with a compute builtin. */
  builtin(name: BuiltInName): number {
    let v = this.builtins.get(name);
    if (v === undefined) {
      const ptr = this.pointer(StorageClass.Input, this.v3u32);
      v = this.b.declare(Op.Variable, (id) => [ptr, id, StorageClass.Input]);
      this.b.decorate(v, Decoration.BuiltIn, [BuiltIn[name]]);
      this.b.name(v, name === 'WorkgroupId' ? 'gl_WorkGroupID' : 'gl_LocalInvocationID');
      this.builtins.set(name, v);
    }
    return v;
  }

  /** `struct { T data[]; }`, Block-decorated, for StorageBuffer bindings of 32-bit elements. */
  storageStruct(elem: Num): number {
    let s = this.storageStructs.get(elem);
    if (s === undefined) {
      const elemType = this.num(elem);
      const arr = this.b.declare(Op.TypeRuntimeArray, (id) => [id, elemType]);
      this.b.decorate(arr, Decoration.ArrayStride, [4]);
      s = this.b.declare(Op.TypeStruct, (id) => [id, arr]);
      this.b.decorate(s, Decoration.Block);
      this.b.memberDecorate(s, 0, Decoration.Offset, [0]);
      this.b.name(s, `Buffer_${elem}`);
      this.b.memberName(s, 0, 'data');
      this.storageStructs.set(elem, s);
    }
    return s;
  }

  /** `struct { int p[count]; }`, Block-decorated, for push constants. */
  pushConstantStruct(count: number): number {
    let s = this.pushStructs.get(count);
    if (s === undefined) {
      const len = this.constant('u32', count);
      const i32 = this.i32;
      const arr = this.b.declare(Op.TypeArray, (id) => [id, i32, len]);
      this.b.decorate(arr, Decoration.ArrayStride, [4]);
      s = this.b.declare(Op.TypeStruct, (id) => [id, arr]);
      this.b.decorate(s, Decoration.Block);
      this.b.memberDecorate(s, 0, Decoration.Offset, [0]);
      this.b.name(s, `Params_${count}`);
      this.b.memberName(s, 0, 'p');
      this.pushStructs.set(count, s);
    }
    return s;
  }
}
