// Lowering rules: linalg ops.
export {};
