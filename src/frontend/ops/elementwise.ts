// ONNX importers: elementwise ops.
export {};
