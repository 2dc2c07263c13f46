import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one BLAS thread is fastest on 2 shared cores

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.data import load_mnist, to_inputs  # noqa: E402


@pytest.fixture(scope="session")
def mnist_train():
    return load_mnist("train")


@pytest.fixture(scope="session")
def mnist_test():
    images, labels = load_mnist("test")
    return to_inputs(images), labels


@pytest.fixture
def rng():
    return np.random.default_rng(0)
