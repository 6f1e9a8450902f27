// Lowering rules: linalg ops (matmul, conv, conv_transpose, pooling, max_unpool), one family per
// file. einsum and det are 'special' ops; their rules live in special-*.ts.
import './linalg-matmul.js';
import './linalg-conv.js';
import './linalg-pool.js';
import './linalg-unpool.js';
