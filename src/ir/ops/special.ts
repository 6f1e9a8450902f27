// IR op definitions: special ops, which have no natural decomposition into the core op set and run
// through their reference kernel (later backends run them on the host). See each file's header.
import './special-vision.js';
import './special-signal.js';
import './special-random.js';
import './special-misc.js';
