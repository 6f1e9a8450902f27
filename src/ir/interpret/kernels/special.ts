// Reference kernels: special ops.
export {};
