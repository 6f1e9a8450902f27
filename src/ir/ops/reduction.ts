// IR op definitions: reduction ops.
export {};
