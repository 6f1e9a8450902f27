// Reference kernels: reduction ops.
export {};
