// ONNX importers: core ops.
export {};
