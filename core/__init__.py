"""A neural network in pure NumPy that learns to read handwritten digits (MNIST) or clothes (Fashion-MNIST).

Two layers. `core.nn` is the maths, in reading order (its docstring lists it). The rest runs it:
  data        the datasets: IDX files with checksums, class names, the Kaggle CSV layout, splits
  owndata     the learner's own data to train on (a Kaggle CSV or an IDX pair): checked, limited, split
  presets     training settings (TrainConfig) and the famous tutorials' networks
  training    the training loop (Trainer), a step at a time, reporting progress
  evaluate    accuracy, confusion matrix, per-class scores, mistakes, digits shifted; `python -m core.evaluate`
  perturb     digits spoilt on purpose (noise, rotation, stroke, shift, occlusion), accuracy under each; augmentation
  io          model files: .npz + JSON metadata, loaded without pickle, checked before use
  preprocess  a drawing or photo -> a 28x28 digit as MNIST draws them
  worker      a training in a process of its own, and its message protocol
  train       `python -m core.train`: a preset trained from the terminal
Imports NumPy and the standard library only.
"""
