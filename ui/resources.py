"""Read-only things every session shares, loaded once per server process with st.cache_resource.

Arrays are made non-writeable: an accidental in-place change raises instead of corrupting the
dataset or a shipped model for every user of the app. What is the same for everyone is ready before
anyone asks: the shipped models' results on the test images ship beside them (weights/results/), and
a thread started with the server loads the training images and the dataset's summaries (warm_up).
"""
import hashlib
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import streamlit as st

from core.nn.cnn import ConvNet
from core.data import DATASETS, load_dataset, to_inputs
from core.evaluate import DIRECTIONS, SHIFT_IMAGES, SHIFTS, ModelResults, accuracy_under_shift, predictions
from core.io import ModelFileError, load_model
from core.nn.network import Classifier
from core.presets import TrainConfig
from core.training import build_network

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
RESULTS = WEIGHTS / "results"  # each shipped model's ModelResults, under the model file's name
DEFAULT_MODEL = "shipped:fast"


def freeze(*arrays):
    for a in arrays:
        a.flags.writeable = False


@dataclass
class Dataset:
    name: str                 # a key of core.data.DATASETS
    test_images: np.ndarray   # (10000, 28, 28) uint8
    test_labels: np.ndarray   # (10000,)
    X_test: np.ndarray        # (10000, 784) float32 in [0, 1]

    @property
    def info(self):
        """Its title, class names and words (core.data.Dataset)."""
        return DATASETS[self.name]

    @property
    def train_images(self) -> np.ndarray:  # (60000, 28, 28) uint8, loaded apart: most pages need only the test set
        return training_set(self.name)[0]

    @property
    def train_labels(self) -> np.ndarray:  # (60000,)
        return training_set(self.name)[1]


@dataclass(eq=False)
class ModelEntry:
    """A model the learner can pick: shipped with the app, trained in this session, or uploaded."""
    key: str
    label: str
    network: Classifier
    meta: dict
    initial: Classifier | None = None  # its weights before training, when known
    shipped_results: ModelResults | None = None  # a shipped model's, read from weights/results/

    @cached_property
    def results(self) -> ModelResults:
        """Its answers on the 10,000 test images: shipped, else computed once with a progress bar."""
        if self.shipped_results is not None:
            return self.shipped_results
        bar = st.progress(0.0, text=f"Reading the 10,000 test images with {self.label}…")
        predicted, confidence = predictions(self.network, self.data.X_test, progress=bar.progress)
        bar.empty()
        freeze(predicted, confidence)
        return ModelResults(predicted, confidence, None)

    @cached_property
    def shift_accuracies(self) -> list:
        """Accuracy on the first SHIFT_IMAGES test digits moved by 0, 1, ... pixels (see core.evaluate): shipped,
        else computed once with a progress bar."""
        if self.results.shift_accuracy is not None:
            return self.results.shift_accuracy
        data = self.data
        moved = len(SHIFTS) * len(DIRECTIONS) * SHIFT_IMAGES
        bar = st.progress(0.0, text=f"Shifting {moved:,} digits through {self.label}…")
        accuracies = accuracy_under_shift(self.network, data.test_images[:SHIFT_IMAGES],
                                          data.test_labels[:SHIFT_IMAGES], SHIFTS, progress=bar.progress)
        bar.empty()
        return accuracies

    @property
    def data(self) -> Dataset:
        """The dataset it learned from (the model file records it)."""
        return dataset(self.meta.get("dataset", "mnist"))

    @property
    def upload(self) -> dict | None:
        """The learner's own data it learned from (core.owndata.OwnData.record), or None; its pages' test set is
        still `data`'s (MNIST's digits: the upload's labels are read as digits 0-9)."""
        return self.meta.get("upload")

    @property
    def test_accuracy(self) -> float:
        return float(np.mean(self.results.predicted == self.data.test_labels))

    @property
    def name(self) -> str:
        """Its label without the accuracy: 'cnn-99', 'Run 2'."""
        return self.label.split(" · ")[0]

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


def weights_digest(network) -> str:
    """A fingerprint of a network's weights: with its key, what a per-model cache keys on (a taught copy differs)."""
    digest = hashlib.sha256()
    for p in network.params().values():
        digest.update(p.tobytes())
    return digest.hexdigest()


def shapes(network) -> dict:
    return {name: p.shape for name, p in network.params().items()}


@st.cache_resource(show_spinner="Loading the test images…")
def dataset(name: str) -> Dataset:
    """One dataset's test set (and, on demand, its training set), shared by every session. (No default name:
    st.cache_resource keys on the arguments as written, so dataset() and dataset("mnist") would be two copies.)"""
    test_images, test_labels = load_dataset(name, "test")
    data = Dataset(name, test_images, test_labels, to_inputs(test_images))
    freeze(data.test_images, data.test_labels, data.X_test)
    return data


@st.cache_resource(show_spinner="Loading the 60,000 training images…")
def training_set(name: str) -> tuple:
    """(images (60000, 28, 28) uint8, labels (60000,))."""
    images, labels = load_dataset(name, "train")
    freeze(images, labels)
    return images, labels


@st.cache_resource
def warm_up() -> threading.Thread:
    """Once per server: load in the background what every session shares and no first page needs at once.

    A page that asks for one of these before it is ready waits for it behind its spinner (st.cache_resource
    computes each value once and makes other callers wait), so no visitor waits for what they do not use.
    """
    thread = threading.Thread(target=shared_data, name="warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def shared_data():
    """The warm-up thread's work. Called inside a cached function, the cached loaders show no spinner (there is
    no page to show it on in this thread)."""
    training_set("mnist")
    for split in ("train", "test"):
        split_summary(split, "mnist")


@st.cache_resource
def favicon():
    """The browser-tab icon: the first MNIST test digit (a 7), served by the app itself, so nothing is fetched."""
    from PIL import Image
    return Image.fromarray(255 - dataset("mnist").test_images[0])


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
        results = ModelResults.load(RESULTS / path.name, path)  # None if missing or stale: then computed when needed
        if results is not None:
            freeze(results.predicted, results.confidence)
        models[f"shipped:{path.stem}"] = ModelEntry(f"shipped:{path.stem}", label, network, meta,
                                                    shipped_results=results)
    return models, problems


def shipped_cnn(dataset_name: str = "mnist") -> ModelEntry | None:
    """The most accurate shipped convolutional model of a dataset, for pages that explain convolution."""
    convolutional = [m for m in shipped_models()[0].values()
                     if isinstance(m.network, ConvNet) and m.meta["dataset"] == dataset_name]
    return max(convolutional, key=lambda m: m.test_accuracy, default=None)


@dataclass
class SplitSummary:
    counts: np.ndarray         # (10,) images of each digit
    means: np.ndarray          # (10, 28, 28) mean image of each digit, 0..255
    pixel_counts: np.ndarray   # (256,) how many pixels have each grey level


@st.cache_resource(show_spinner="Summarising the images…")
def split_summary(split: str, name: str) -> SplitSummary:
    images, labels = split_arrays(split, name)
    counts = np.bincount(labels, minlength=10)
    means = np.stack([images[labels == k].mean(axis=0) for k in range(10)])
    # in slices: np.bincount of all 47 million pixels at once first copies them as int64 (376 MB, 7x slower)
    grey_levels = sum(np.bincount(images[i:i + 1000].ravel(), minlength=256) for i in range(0, len(images), 1000))
    summary = SplitSummary(counts, means, grey_levels)
    freeze(*vars(summary).values())
    return summary


def split_arrays(split: str, name: str) -> tuple:
    """(images, labels) of 'train' or 'test' of a dataset."""
    data = dataset(name)
    return (data.train_images, data.train_labels) if split == "train" else (data.test_images, data.test_labels)
