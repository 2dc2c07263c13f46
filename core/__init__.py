"""A neural network in pure NumPy that learns to read handwritten digits (MNIST).

Modules: data (files), activations, losses, layers, network, conv (convolution, max-pooling), cnn
(the convolutional network), gradcheck, optim, presets, train, evaluate, io (model files),
preprocess (drawing -> MNIST), explain, worker (training in a process of its own). Imports NumPy and the
standard library only.
"""
