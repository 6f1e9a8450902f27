// Reference kernels: core ops.
export {};
