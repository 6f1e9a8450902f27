// ONNX importers: movement ops.
export {};
