// IR op definitions: elementwise ops.
export {};
