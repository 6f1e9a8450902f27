// Lowering rules: elementwise ops.
export {};
