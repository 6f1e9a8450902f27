// Lowering rules: movement ops.
export {};
