// A fresh process's model digests, for model-digest.test.ts: it has seen no raw bytes before.
//   node --import tsx test/frontend/model-digest-child.ts FILE...   → one digest per line
import { readFileSync } from 'node:fs';
import { modelDigest } from '../../src/frontend/model-digest.js';
import { initHashing } from '../../src/util/hash.js';

await initHashing();
for (const file of process.argv.slice(2)) console.log(modelDigest(readFileSync(file)));
