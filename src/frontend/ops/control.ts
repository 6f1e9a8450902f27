// ONNX importers: control ops.
export {};
