"""Ready-made training settings: famous from-scratch tutorials with their published figures, our own with our targets."""
from dataclasses import dataclass, replace


@dataclass
class TrainConfig:
    """Everything that defines a training run. `batch_size=None` means full-batch gradient descent.

    `convs` ((filters, kernel, padding), ...) puts convolution + max-pool blocks before the dense layers.
    `dataset` names what it learns from (core.data.DATASETS); the caller loads it.
    `augment` gives every training batch a new random shift, rotation and stroke change (core.perturb.augment).
    """
    dataset: str = "mnist"
    convs: tuple = ()
    hidden: tuple = (128,)
    activation: str = "relu"
    output: str = "softmax"
    init: str | None = None
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    momentum: float = 0.9
    schedule: str = "constant"
    step_every: int = 5
    batch_size: int | None = 128
    epochs: int = 10
    l2: float = 0.0
    dropout: float = 0.0
    seed: int = 0
    train_size: int | None = None
    val_size: int = 5000
    augment: bool = False


OURS = "this project"  # the source of our own presets: their figure is our target, not a published one


@dataclass(frozen=True)
class Preset:
    title: str
    source: str
    published: float  # the test accuracy the tutorial reports (for our own presets: our target)
    config: TrainConfig

    @property
    def ours(self) -> bool:
        return self.source == OURS

    @property
    def figure_name(self) -> str:
        """What `published` is: 'published' by the tutorial, or 'our target' for this project's own presets."""
        return "our target" if self.ours else "published"


PRESETS = {
    "fast": Preset(
        "Fast modern default: 784-256-10, ReLU, Adam, cosine schedule", OURS, 0.98,
        TrainConfig(hidden=(256,), optimizer="adam", learning_rate=2e-3, schedule="cosine",
                    batch_size=128, epochs=8)),
    "tutorial-10-10": Preset(
        "784-10-10 ReLU, full-batch gradient descent (the classic 'from scratch' notebook)",
        "Samson Zhang, 'Building a neural network FROM SCRATCH' (2020)", 0.85,
        TrainConfig(hidden=(10,), optimizer="sgd", learning_rate=0.1, batch_size=None, epochs=500)),
    "sigmoid-16-16-mse": Preset(
        "784-16-16-10 sigmoid, mean squared error, mini-batch SGD", "the 16-16 sigmoid tutorial", 0.90,
        TrainConfig(hidden=(16, 16), activation="sigmoid", output="sigmoid", optimizer="sgd",
                    learning_rate=3.0, batch_size=10, epochs=10)),
    "3b1b-16-16": Preset(
        "784-16-16-10 as in 3Blue1Brown's 'But what is a neural network?', with ReLU (the video's modern choice)",
        "3Blue1Brown (2017)", 0.96,
        TrainConfig(hidden=(16, 16), activation="relu", optimizer="adam", learning_rate=3e-3,
                    schedule="cosine", batch_size=32, epochs=30)),
    "nielsen-30": Preset(
        "784-30-10 sigmoid, quadratic cost, mini-batch 10, lr 3.0",
        "Michael Nielsen, 'Neural Networks and Deep Learning', chapter 1", 0.95,
        TrainConfig(hidden=(30,), activation="sigmoid", output="sigmoid", optimizer="sgd",
                    learning_rate=3.0, batch_size=10, epochs=30, val_size=10000)),
    "lenet": Preset(
        "LeNet-style CNN: conv 6@5×5 → pool → conv 16@5×5 → pool → 120 → 84 → 10, ReLU, Adam",
        "LeCun et al., 'Gradient-based learning applied to document recognition' (1998)", 0.99,
        TrainConfig(convs=((6, 5, "same"), (16, 5, "valid")), hidden=(120, 84), optimizer="adam",
                    learning_rate=2e-3, schedule="cosine", batch_size=64, epochs=4)),
    "cnn-99": Preset(
        "CNN: conv 16@5×5 → pool → conv 32@5×5 → pool → 128 → 10, ReLU, Adam, cosine",
        OURS, 0.99,
        TrainConfig(convs=((16, 5, "same"), (32, 5, "valid")), hidden=(128,), optimizer="adam",
                    learning_rate=2e-3, schedule="cosine", batch_size=64, epochs=6)),
}


def preset_config(name: str, **changes) -> TrainConfig:
    """A copy of a preset's settings, with any field changed (epochs=3, seed=1, ...)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}: choose from {', '.join(PRESETS)}")
    return replace(PRESETS[name].config, **{k: v for k, v in changes.items() if v is not None})
