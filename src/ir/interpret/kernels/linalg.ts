// Reference kernels: linalg ops.
export {};
