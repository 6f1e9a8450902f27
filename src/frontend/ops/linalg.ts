// ONNX importers: linalg ops.
export {};
