import itertools
import math

import numpy as np
import pytest

from core.perturb import augment_rows
from core.presets import PRESETS, TrainConfig, preset_config
from core.training import Splits, Trainer, TrainingDiverged, make_splits, split_images


@pytest.fixture(scope="module")
def small_splits(mnist_train):
    config = TrainConfig(train_size=2000, val_size=1000)
    return make_splits(config, *mnist_train)


def weights_after(config, splits, epochs=None):
    trainer = Trainer(config, splits)
    events = list(trainer.run(epochs))
    return trainer, events


def test_a_small_network_learns_a_small_real_slice(small_splits, mnist_test):
    config = TrainConfig(hidden=(32,), epochs=5, learning_rate=3e-3)
    trainer, events = weights_after(config, small_splits)
    epochs = [e for e in events if e.kind == "epoch"]
    assert len(epochs) == 5 and epochs[-1].train_loss < epochs[0].train_loss / 2
    assert epochs[-1].val_accuracy > 0.85
    assert trainer.network.accuracy(*mnist_test) > 0.85  # from 2,000 images to unseen test digits


def test_progress_events_carry_every_figure(small_splits):
    config = TrainConfig(hidden=(8,), epochs=1, batch_size=500)
    _, events = weights_after(config, small_splits)
    assert [e.kind for e in events] == ["step"] * 4 + ["epoch"]
    assert [e.step for e in events[:4]] == [1, 2, 3, 4] and events[1].epoch == 0.5
    last = events[-1]
    assert last.epoch == 1.0 and last.images_per_sec > 0 and last.elapsed > 0 and last.learning_rate == 1e-3
    assert 0 < last.train_accuracy <= 1 and 0 < last.val_accuracy <= 1 and last.val_loss > 0
    assert math.isnan(events[0].val_accuracy)  # validation is measured per epoch, not per step


def test_same_seed_same_weights_and_other_seed_other_weights(small_splits):
    config = TrainConfig(hidden=(8,), epochs=1, dropout=0.2)
    a, _ = weights_after(config, small_splits)
    b, _ = weights_after(config, small_splits)
    c, _ = weights_after(TrainConfig(hidden=(8,), epochs=1, dropout=0.2, seed=1), small_splits)
    assert np.array_equal(a.network.weights[0], b.network.weights[0])
    assert not np.array_equal(a.network.weights[0], c.network.weights[0])


def test_stopping_between_steps_and_resuming_gives_the_same_as_running_through(small_splits):
    config = TrainConfig(hidden=(8,), epochs=2, schedule="cosine")
    through, _ = weights_after(config, small_splits)
    paused = Trainer(config, small_splits)
    list(paused.run(1))
    assert paused.epochs_done == 1
    list(paused.run(1))  # "+1 epoch"
    assert np.array_equal(through.network.weights[0], paused.network.weights[0])
    stopped = Trainer(config, small_splits)
    list(itertools.islice(stopped.run(), 3))  # the user pressed Stop after 3 steps
    assert stopped.step == 3 and stopped.epochs_done == 0


def test_learning_rate_can_change_between_steps(small_splits):
    config = TrainConfig(hidden=(8,), optimizer="sgd", learning_rate=0.1, epochs=1)
    trainer = Trainer(config, small_splits)
    steps = trainer.run()
    next(steps)
    trainer.config.learning_rate = 0.0
    frozen = [W.copy() for W in trainer.network.weights]
    event = next(steps)
    assert event.learning_rate == 0.0
    assert all(np.array_equal(a, b) for a, b in zip(frozen, trainer.network.weights))


def test_full_batch_gradient_descent_takes_one_step_per_epoch(small_splits):
    config = TrainConfig(hidden=(10,), optimizer="sgd", learning_rate=0.5, batch_size=None, epochs=3)
    trainer, events = weights_after(config, small_splits)
    assert trainer.step == 3 and [e.kind for e in events] == ["step", "epoch"] * 3


def test_a_batch_larger_than_the_training_set_is_the_whole_set(mnist_train):
    splits = make_splits(TrainConfig(train_size=1, val_size=10), *mnist_train)
    trainer, events = weights_after(TrainConfig(hidden=(4,), batch_size=512, epochs=2), splits)
    assert trainer.batch_size == 1 and trainer.step == 2


@pytest.mark.parametrize("optimizer, lr, advice", [("sgd", 1e4, "try 1000"), ("adam", 100, "try 10")])
def test_a_learning_rate_that_diverges_stops_with_an_explanation(small_splits, optimizer, lr, advice):
    config = TrainConfig(hidden=(32,), optimizer=optimizer, learning_rate=lr, epochs=3)
    trainer = Trainer(config, small_splits)
    with pytest.raises(TrainingDiverged, match=rf"loss shot up from 2\.\d\d to .*Lower the learning rate \({advice}\)"):
        list(trainer.run())
    assert trainer.step < 5  # caught within the first steps, not after a chart of nonsense


def test_nan_in_the_weights_is_reported_as_nan(small_splits):
    trainer = Trainer(TrainConfig(hidden=(8,), epochs=1), small_splits)
    trainer.network.weights[0][0, 0] = np.inf
    with pytest.raises(TrainingDiverged, match="became NaN or infinite"):
        list(trainer.run())


def test_presets_carry_their_published_figures_and_can_be_changed():
    assert PRESETS["tutorial-10-10"].config.batch_size is None and PRESETS["tutorial-10-10"].published == 0.85
    assert PRESETS["nielsen-30"].config.hidden == (30,) and PRESETS["nielsen-30"].config.output == "sigmoid"
    assert preset_config("fast", epochs=1).epochs == 1 and PRESETS["fast"].config.epochs == 8
    with pytest.raises(ValueError, match="unknown preset"):
        preset_config("resnet")


# --- the Trainer does what it is told ----------------------------------------------------------
BASE = dict(hidden=(8,), optimizer="momentum", momentum=0.9, learning_rate=0.05, batch_size=100, epochs=2,
            train_size=300, val_size=100, schedule="constant", step_every=1)
SETTINGS = {  # every field of TrainConfig, each changed from BASE, but convs (test_cnn.py), step_every (below) and
    # dataset (the caller loads it: test_cli.py::test_train_and_evaluate_on_fashion_mnist)
    "hidden": (9,), "activation": "tanh", "output": "sigmoid", "init": "lecun", "optimizer": "adam",
    "learning_rate": 0.02, "momentum": 0.5, "schedule": "step", "batch_size": 50, "epochs": 3, "l2": 0.01,
    "dropout": 0.3, "seed": 1, "train_size": 200, "val_size": 150, "augment": True,
}


def train_from_the_start(mnist_train, **settings):
    """What the CLI and the app do: split the images as the settings say, then train."""
    config = TrainConfig(**{**BASE, **settings})
    trainer = Trainer(config, make_splits(config, *mnist_train))
    return trainer, list(trainer.run())


def test_every_setting_is_covered():
    assert set(SETTINGS) | {"convs", "step_every", "dataset"} == set(TrainConfig.__dataclass_fields__)


@pytest.mark.parametrize("field", SETTINGS)
def test_the_trainer_obeys_every_setting(mnist_train, field):
    base, base_events = train_from_the_start(mnist_train)
    changed, events = train_from_the_start(mnist_train, **{field: SETTINGS[field]})
    same = all(a.shape == b.shape and np.array_equal(a, b)
               for a, b in zip(base.network.weight_arrays(), changed.network.weight_arrays()))
    assert not same, f"changing {field} left the trained weights as they were"


def test_step_every_sets_when_the_step_schedule_halves_the_rate(mnist_train):
    _, events = train_from_the_start(mnist_train, schedule="step", step_every=2, epochs=3)
    rates = [e.learning_rate for e in events if e.kind == "step"]  # 3 steps an epoch
    assert rates == pytest.approx([0.05] * 6 + [0.025] * 3)


def test_each_step_uses_the_scheduled_rate(mnist_train):
    _, events = train_from_the_start(mnist_train, schedule="cosine", epochs=2)
    steps = [e for e in events if e.kind == "step"]
    # step i of an epoch of 3 runs at the rate of (epochs done + i / 3) epochs, of 2 planned
    expected = [0.05 * (0.01 + 0.99 * (1 + math.cos(math.pi * (k / 3) / 2)) / 2) for k in range(6)]
    assert [e.learning_rate for e in steps] == pytest.approx(expected, rel=1e-12)


def one_full_batch_step(mnist_train, **settings):
    """The Trainer's first step on 64 images in float64, the same step worked out by hand, and the start."""
    config = TrainConfig(hidden=(6,), optimizer="sgd", learning_rate=0.5, batch_size=None, epochs=1,
                         train_size=64, val_size=10, **settings)
    splits = Splits.from_images(*split_images(config, *mnist_train), dtype=np.float64)
    trainer = Trainer(config, splits)
    start, reference = trainer.network.copy(), trainer.network.copy()
    next(trainer.run())
    rng = np.random.default_rng([config.seed, 1])  # the Trainer's own generator: shuffle, augmentation, dropout
    order = rng.permutation(64)
    X = augment_rows(splits.X_train[order], rng) if config.augment else splits.X_train[order]  # (64, 784)
    _, grads = reference.gradients(X, splits.y_train[order], config.l2, config.dropout, rng)
    for name, p in reference.params().items():
        p -= config.learning_rate * grads[name]  # W <- W - lr dW
    return trainer.network, reference, start


def test_a_step_with_l2_shrinks_the_weights_as_the_penalty_says(mnist_train):
    trained, reference, start = one_full_batch_step(mnist_train, l2=0.05)
    plain, _, _ = one_full_batch_step(mnist_train)
    for W, R, P, W0 in zip(trained.weights, reference.weights, plain.weights, start.weights):
        np.testing.assert_allclose(W, R, rtol=1e-12, atol=1e-15)
        # the penalty (l2/2)||W||^2 adds l2 W to dW, so the step goes lr l2 W further than without it
        np.testing.assert_allclose(W, P - 0.5 * 0.05 * W0, rtol=1e-9, atol=1e-12)


def test_a_step_with_dropout_uses_its_masks(mnist_train):
    trained, reference, _ = one_full_batch_step(mnist_train, dropout=0.5)
    plain, _, _ = one_full_batch_step(mnist_train)
    for W, R in zip(trained.weights, reference.weights):
        np.testing.assert_allclose(W, R, rtol=1e-12, atol=1e-15)
    assert not np.allclose(trained.weights[1], plain.weights[1])


def test_a_step_with_augmentation_learns_from_the_spoilt_batch_and_without_it_from_the_images(mnist_train):
    trained, reference, _ = one_full_batch_step(mnist_train, augment=True, dropout=0.5)
    plain, plain_reference, _ = one_full_batch_step(mnist_train, dropout=0.5)
    for W, R, P, Q in zip(trained.weights, reference.weights, plain.weights, plain_reference.weights):
        np.testing.assert_allclose(W, R, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(P, Q, rtol=1e-12, atol=1e-15)
    assert not np.allclose(trained.weights[0], plain.weights[0])


def test_validation_is_a_seeded_held_out_split_measured_after_each_epoch(mnist_train):
    images, labels = mnist_train
    config = TrainConfig(**{**BASE, "epochs": 1})
    train_images, _, val_images, val_labels = split_images(config, images, labels)
    assert len(train_images) == 300 and len(val_images) == 100
    train_rows = {img.tobytes() for img in train_images}
    assert not any(img.tobytes() in train_rows for img in val_images)  # no image in both
    again = split_images(config, images, labels)
    assert np.array_equal(again[2], val_images)  # same seed, same split
    other = split_images(TrainConfig(**{**BASE, "seed": 1}), images, labels)
    assert not np.array_equal(other[2], val_images)
    trainer, events = train_from_the_start(mnist_train, epochs=1)
    epoch = events[-1]
    X_val = trainer.splits.X_val
    assert np.array_equal(X_val, val_images.reshape(100, -1) / np.float32(255))
    assert epoch.val_accuracy == trainer.network.accuracy(X_val, val_labels)
    assert epoch.val_loss == pytest.approx(trainer.network.loss(X_val, val_labels), rel=1e-6)
