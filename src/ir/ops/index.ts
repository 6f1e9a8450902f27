// Registers every IR op definition (side-effect imports).
import './core.js';
import './elementwise.js';
import './linalg.js';
import './reduction.js';
import './movement.js';
import './control.js';
import './special.js';
