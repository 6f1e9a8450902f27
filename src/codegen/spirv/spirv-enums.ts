// Numeric values from the SPIR-V 1.3 specification and the GLSL.std.450 extended instruction set,
// limited to what the kernel emitter uses.

export const SPIRV_MAGIC = 0x07230203;
/** SPIR-V 1.3: the version Vulkan 1.1 consumes; StorageBuffer is core from 1.3 on. */
export const SPIRV_VERSION_1_3 = 0x00010300;
/** Generator magic: 0 = unregistered tool. */
export const SPIRV_GENERATOR = 0;

export const Op = {
  Name: 5,
  MemberName: 6,
  Extension: 10,
  ExtInstImport: 11,
  ExtInst: 12,
  MemoryModel: 14,
  EntryPoint: 15,
  ExecutionMode: 16,
  Capability: 17,
  TypeVoid: 19,
  TypeBool: 20,
  TypeInt: 21,
  TypeFloat: 22,
  TypeVector: 23,
  TypeArray: 28,
  TypeRuntimeArray: 29,
  TypeStruct: 30,
  TypePointer: 32,
  TypeFunction: 33,
  ConstantTrue: 41,
  ConstantFalse: 42,
  Constant: 43,
  Function: 54,
  FunctionEnd: 56,
  Variable: 59,
  Load: 61,
  Store: 62,
  AccessChain: 65,
  Decorate: 71,
  MemberDecorate: 72,
  CompositeExtract: 81,
  ConvertFToU: 109,
  ConvertFToS: 110,
  ConvertSToF: 111,
  ConvertUToF: 112,
  Bitcast: 124,
  SNegate: 126,
  FNegate: 127,
  IAdd: 128,
  FAdd: 129,
  ISub: 130,
  FSub: 131,
  IMul: 132,
  FMul: 133,
  UDiv: 134,
  SDiv: 135,
  FDiv: 136,
  UMod: 137,
  SRem: 138,
  LogicalNotEqual: 165,
  LogicalOr: 166,
  LogicalAnd: 167,
  LogicalNot: 168,
  Select: 169,
  IEqual: 170,
  INotEqual: 171,
  UGreaterThan: 172,
  SGreaterThan: 173,
  UGreaterThanEqual: 174,
  SGreaterThanEqual: 175,
  ULessThan: 176,
  SLessThan: 177,
  ULessThanEqual: 178,
  SLessThanEqual: 179,
  FOrdEqual: 180,
  FUnordNotEqual: 183,
  FOrdLessThan: 184,
  FOrdGreaterThan: 186,
  FOrdLessThanEqual: 188,
  FOrdGreaterThanEqual: 190,
  ShiftRightLogical: 194,
  ShiftRightArithmetic: 195,
  ShiftLeftLogical: 196,
  BitwiseOr: 197,
  BitwiseXor: 198,
  BitwiseAnd: 199,
  Not: 200,
  BitFieldSExtract: 202,
  BitFieldUExtract: 203,
  ControlBarrier: 224,
  AtomicAnd: 240,
  AtomicOr: 241,
  LoopMerge: 246,
  SelectionMerge: 247,
  Label: 248,
  Branch: 249,
  BranchConditional: 250,
  Return: 253,
} as const;

export const Capability = { Shader: 1 } as const;
export const AddressingModel = { Logical: 0 } as const;
export const MemoryModel = { GLSL450: 1 } as const;
export const ExecutionModel = { GLCompute: 5 } as const;
export const ExecutionMode = { LocalSize: 17 } as const;

export const StorageClass = {
  Input: 1,
  Workgroup: 4,
  Function: 7,
  PushConstant: 9,
  StorageBuffer: 12,
} as const;

export const Decoration = {
  Block: 2,
  ArrayStride: 6,
  BuiltIn: 11,
  NonWritable: 24,
  Binding: 33,
  DescriptorSet: 34,
  Offset: 35,
} as const;

export const BuiltIn = {
  WorkgroupId: 26,
  LocalInvocationId: 27,
} as const;

export const Scope = { Device: 1, Workgroup: 2 } as const;
/** Relaxed: sub-word stores only need atomicity of the read-modify-write, not ordering. */
export const MemorySemantics = { None: 0, AcquireRelease: 0x8, WorkgroupMemory: 0x100 } as const;
export const FunctionControl = { None: 0 } as const;
export const LoopControl = { None: 0 } as const;
export const SelectionControl = { None: 0 } as const;

/** GLSL.std.450 extended instructions. */
export const Glsl = {
  RoundEven: 2,
  Trunc: 3,
  FAbs: 4,
  SAbs: 5,
  Floor: 8,
  Ceil: 9,
  Sin: 13,
  Cos: 14,
  Tan: 15,
  Asin: 16,
  Acos: 17,
  Atan: 18,
  Sinh: 19,
  Cosh: 20,
  Tanh: 21,
  Asinh: 22,
  Acosh: 23,
  Atanh: 24,
  Pow: 26,
  Exp: 27,
  Log: 28,
  Sqrt: 31,
  UMin: 38,
  SMin: 39,
  UMax: 41,
  SMax: 42,
  FindUMsb: 75,
} as const;
