// Lowering rules: ops of kind 'special' (and 'host') whose output shapes are static, so they run
// as dispatches: einsum, top_k, dft/stft/window/mel_weight_matrix, grid_sample, roi_align/max_roi_pool, det and
// tfidf_vectorizer. Data-dependent ops (unique, non_zero, compress, NMS) and random generators
// have no rule and stay host steps. One family per file.
import './special-einsum.js';
import './special-topk.js';
import './special-signal.js';
import './special-mel.js';
import './special-grid-sample.js';
import './special-roi.js';
import './special-det.js';
import './special-tfidf.js';
