// Lowering rules: reduction ops.
export {};
