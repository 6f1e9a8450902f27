// IR op definitions: special ops.
export {};
