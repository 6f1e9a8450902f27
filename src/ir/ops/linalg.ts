// IR op definitions: linalg ops.
export {};
