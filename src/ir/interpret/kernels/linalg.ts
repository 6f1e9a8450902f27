// Reference kernels: linalg ops (matmul, conv, pooling, einsum, det), one family per file.
import './linalg-matmul.js';
import './linalg-conv.js';
import './linalg-pool.js';
import './linalg-einsum.js';
import './linalg-det.js';
