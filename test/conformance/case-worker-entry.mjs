// Plain-JS entry of the case worker: worker threads on Node 20 do not inherit the parent's tsx
// loader for their entry file, so register it here and then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./case-worker.ts');
