"""The network's maths, NumPy only, in the order a learner should read it:

0. shapes       what every network reads and writes: 28x28 images (784 inputs), 10 classes
1. activations  f(Z) and f'(Z): ReLU, sigmoid, tanh, and the initialisation that suits each
2. losses       softmax + cross-entropy, sigmoid + squared error: the output, the loss and dL/dZ
3. layers       a dense layer's forward and backward side by side; dropout
4. network      a dense network: forward through every layer, backpropagation back through them
5. conv         convolution (im2col + one matrix product) and 2x2 max-pooling, each beside its backward
6. cnn          a convolutional network built from those layers and dense ones
7. optim        gradient descent, momentum, Adam; learning-rate schedules
8. gradcheck    every gradient checked against finite differences
9. explain      the intermediate values the How it works page shows, pinned to the fast path
"""
