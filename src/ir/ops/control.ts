// IR op definitions: control ops.
export {};
