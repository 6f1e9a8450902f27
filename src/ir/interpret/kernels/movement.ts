// Reference kernels: movement ops.
export {};
