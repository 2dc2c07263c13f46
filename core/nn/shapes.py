"""The shapes every network here reads and writes, written once: 28x28 grey images and 10 classes."""
SIDE = 28               # an image is SIDE x SIDE pixels (MNIST and Fashion-MNIST alike)
INPUTS = SIDE * SIDE    # 784: one image as the row X[n] a dense layer reads
CLASSES = 10            # outputs: one score per digit (or per kind of clothing)
IMAGE = (SIDE, SIDE, 1)  # height, width, channels: one image as a convolution reads it


def as_images(X):
    """Rows of pixels (N, 784), or one row (784,), as pictures (N, 28, 28) or (28, 28)."""
    return X.reshape(*X.shape[:-1], SIDE, SIDE)
