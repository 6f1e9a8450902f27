// ONNX importers: special ops.
export {};
