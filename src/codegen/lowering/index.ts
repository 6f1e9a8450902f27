// Registers every lowering rule (side-effect imports).
import './elementwise.js';
import './reduction.js';
import './movement.js';
import './linalg.js';
import './special.js';
