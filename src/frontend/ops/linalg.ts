// ONNX importers: linear algebra, convolution, pooling, normalisation and recurrent ops.
import './linalg-matmul.js';
import './linalg-conv.js';
import './linalg-pool.js';
import './linalg-norm.js';
import './linalg-rnn.js';
