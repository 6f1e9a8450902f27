// ONNX importers: special ops (no natural decomposition) and signal ops; see the files below.
import './special-vision.js';
import './special-signal.js';
import './special-random.js';
import './special-misc.js';
