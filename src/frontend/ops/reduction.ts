// ONNX importers: reduction ops.
export {};
