"""Read-only things every session shares, loaded once per server process with st.cache_resource.

Arrays are made non-writeable: an accidental in-place change raises instead of corrupting the
dataset or a shipped model for every user of the app.
"""
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import streamlit as st

from core.nn.cnn import ConvNet
from core.data import load_mnist, to_inputs
from core.evaluate import accuracy_under_shift
from core.io import ModelFileError, load_model
from core.nn.network import Classifier
from core.presets import TrainConfig
from core.train import build_network

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_MODEL = "shipped:fast"
SHIFTS, SHIFT_IMAGES = range(7), 1000  # the translation experiment: 0-6 pixels, 4 directions, 1,000 digits


def freeze(*arrays):
    for a in arrays:
        a.flags.writeable = False


@dataclass
class Dataset:
    train_images: np.ndarray  # (60000, 28, 28) uint8
    train_labels: np.ndarray  # (60000,)
    test_images: np.ndarray   # (10000, 28, 28) uint8
    test_labels: np.ndarray   # (10000,)
    X_test: np.ndarray        # (10000, 784) float32 in [0, 1]


@dataclass(eq=False)
class ModelEntry:
    """A model the learner can pick: shipped with the app, trained in this session, or uploaded."""
    key: str
    label: str
    network: Classifier
    meta: dict
    initial: Classifier | None = None  # its weights before training, when known

    @cached_property
    def test_proba(self) -> np.ndarray:
        """Probabilities for the 10,000 test images (10000, 10), computed once per model."""
        P = self.network.predict_proba(dataset().X_test)
        freeze(P)
        return P

    @cached_property
    def shift_accuracies(self) -> list:
        """Accuracy on the first SHIFT_IMAGES test digits moved by 0, 1, ... pixels (see core.evaluate), once per model."""
        data = dataset()
        return accuracy_under_shift(self.network, data.test_images[:SHIFT_IMAGES], data.test_labels[:SHIFT_IMAGES],
                                    SHIFTS)

    @property
    def test_accuracy(self) -> float:
        return float(np.mean(self.test_proba.argmax(axis=1) == dataset().test_labels))

    def before_training(self) -> Classifier | None:
        """Its weights before training: kept when trained here, else rebuilt from the recorded settings and seed."""
        if self.initial is None and isinstance(self.meta.get("config"), dict):
            try:
                recorded = self.meta["config"]
                config = TrainConfig(**{**recorded, "hidden": tuple(recorded["hidden"]),
                                        "convs": tuple(map(tuple, recorded.get("convs", ())))})
                rebuilt = build_network(config, self.network.dtype)
            except (TypeError, ValueError, KeyError):
                return None
            if shapes(rebuilt) == shapes(self.network):
                self.initial = rebuilt
        return self.initial

    @property
    def architecture(self) -> str:
        return self.network.architecture


def shapes(network) -> dict:
    return {name: p.shape for name, p in network.params().items()}


@st.cache_resource(show_spinner="Loading the MNIST images…")
def dataset() -> Dataset:
    train_images, train_labels = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    data = Dataset(train_images, train_labels, test_images, test_labels, to_inputs(test_images))
    freeze(*vars(data).values())
    return data


@st.cache_resource
def favicon():
    """The browser-tab icon: the first MNIST test digit (a 7), served by the app itself, so nothing is fetched."""
    from PIL import Image
    return Image.fromarray(255 - dataset().test_images[0])


@st.cache_resource(show_spinner="Loading the shipped models…")
def shipped_models() -> tuple:
    """({key: ModelEntry} for every valid file in weights/, [messages about files that failed to load])."""
    models, problems = {}, []
    for path in sorted(WEIGHTS.glob("*.npz"), key=lambda p: (p.stem != "fast", p.stem)):
        try:
            network, meta = load_model(path)
        except ModelFileError as err:
            problems.append(f"{path.name}: {err}")
            continue
        freeze(*network.params().values())
        accuracy = meta.get("test_accuracy")
        label = f"{path.stem} · {accuracy:.1%}" if isinstance(accuracy, float) else path.stem
        models[f"shipped:{path.stem}"] = ModelEntry(f"shipped:{path.stem}", label, network, meta)
    return models, problems


def shipped_cnn() -> ModelEntry | None:
    """The strongest shipped convolutional model (cnn-99, else any), for pages that explain convolution."""
    convolutional = {key: m for key, m in shipped_models()[0].items() if isinstance(m.network, ConvNet)}
    return convolutional.get("shipped:cnn-99") or next(iter(convolutional.values()), None)


@dataclass
class SplitSummary:
    counts: np.ndarray         # (10,) images of each digit
    means: np.ndarray          # (10, 28, 28) mean image of each digit, 0..255
    pixel_counts: np.ndarray   # (256,) how many pixels have each grey level


@st.cache_resource(show_spinner="Summarising the images…")
def split_summary(split: str) -> SplitSummary:
    images, labels = split_arrays(split)
    counts = np.bincount(labels, minlength=10)
    means = np.stack([images[labels == k].mean(axis=0) for k in range(10)])
    summary = SplitSummary(counts, means, np.bincount(images.ravel(), minlength=256))
    freeze(*vars(summary).values())
    return summary


def split_arrays(split: str) -> tuple:
    """(images, labels) of 'train' or 'test'."""
    data = dataset()
    return (data.train_images, data.train_labels) if split == "train" else (data.test_images, data.test_labels)
