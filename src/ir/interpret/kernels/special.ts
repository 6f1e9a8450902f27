// Reference kernels: special ops (see src/ir/ops/special.ts). They also run on the host in backends.
import './special-nms.js';
import './special-roi.js';
import './special-grid-sample.js';
import './special-unique.js';
import './special-dft.js';
import './special-window.js';
import './special-random.js';
import './special-tfidf.js';
