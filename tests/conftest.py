import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one BLAS thread is fastest on 2 shared cores

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.data import load_mnist, to_inputs  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def app_uses_navigation_not_the_pages_folder():
    """AppTest builds a new PagesManager for every run, which re-detects `pages/` and sends the run down
    Streamlit's legacy path; ui.shell.require_app_shell then reruns through app.py, and that rerun drops
    one-shot button clicks. A real server settles on the navigation path after its first run (the
    cold-deep-link case is tested in the browser), so the tests start from that settled state."""
    from streamlit.runtime.pages_manager import PagesManager
    original = PagesManager.__init__

    def settled(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False
    PagesManager.__init__ = settled
    yield
    PagesManager.__init__ = original


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
