// IR op definitions: movement ops.
export {};
