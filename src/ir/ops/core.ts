// IR op definitions: core ops.
export {};
