// Reference kernels: elementwise ops.
export {};
