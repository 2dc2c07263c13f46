"""A neural network in pure NumPy that learns to read handwritten digits (MNIST) or clothes (Fashion-MNIST).

Two layers. `core.nn` is the maths, in reading order (its docstring lists it). The rest runs it:
  data        the datasets: IDX files with checksums, class names, the Kaggle CSV layout, splits
  presets     training settings (TrainConfig) and the famous tutorials' networks
  train       the training loop (Trainer), a step at a time, reporting progress
  evaluate    accuracy, confusion matrix, per-class scores, mistakes, digits shifted
  io          model files: .npz + JSON metadata, loaded without pickle, checked before use
  preprocess  a drawing or photo -> a 28x28 digit as MNIST draws them
  worker      a training in a process of its own, and its message protocol
  cli         `python -m core.train` and `python -m core.evaluate`
Imports NumPy and the standard library only.
"""
