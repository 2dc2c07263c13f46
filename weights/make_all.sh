#!/usr/bin/env bash
# Rebuild every shipped model from its preset with the project's own command line (about 5 minutes), then
# what the app shows about each on the test images, in weights/results/ (see core.evaluate.ModelResults).
set -euo pipefail
cd "$(dirname "$0")/.."
export OPENBLAS_NUM_THREADS=1
for preset in fast tutorial-10-10 sigmoid-16-16-mse 3b1b-16-16 nielsen-30 lenet cnn-99; do
  python -m core.train --preset "$preset" --seed 0 --out "weights/$preset.npz"
done
# the same dense and convolutional networks on Fashion-MNIST
python -m core.train --preset fast --dataset fashion-mnist --seed 0 --out weights/fashion-fast.npz
python -m core.train --preset cnn-99 --dataset fashion-mnist --seed 0 --out weights/fashion-cnn.npz
mkdir -p weights/results
for model in weights/*.npz; do
  python -m core.evaluate "$model" --save-results "weights/results/$(basename "$model")"
done
