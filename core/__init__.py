"""A neural network in pure NumPy that learns to read handwritten digits (MNIST).

Modules: data (files), activations, losses, layers, network, gradcheck, optim, presets, train,
evaluate, io (model files), preprocess (drawing -> MNIST). Imports NumPy and the standard library only.
"""
