// Where make-skeletons.ts writes the skeletons and run-gpu.ts reads them.
import { fileURLToPath } from 'node:url';

export const SKELETON_DIR = fileURLToPath(new URL('./skeletons/', import.meta.url));
