// Reference kernels: control ops.
export {};
