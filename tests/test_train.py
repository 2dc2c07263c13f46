import itertools
import math

import numpy as np
import pytest

from core.optim import SGD, Adam, scheduled_lr
from core.presets import PRESETS, TrainConfig, preset_config
from core.train import Trainer, TrainingDiverged, make_splits


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


def test_sgd_with_momentum_accumulates_velocity():
    p, g = {"w": np.array([1.0])}, {"w": np.array([2.0])}
    opt = SGD(momentum=0.5)
    opt.step(p, g, lr=0.1)  # v = 2, w = 1 - 0.2 = 0.8
    opt.step(p, g, lr=0.1)  # v = 0.5*2 + 2 = 3, w = 0.8 - 0.3 = 0.5
    assert p["w"][0] == pytest.approx(0.5)


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    p = {"w": np.array([1.0, 1.0])}
    Adam().step(p, {"w": np.array([1e-3, -50.0])}, lr=0.01)  # m^/sqrt(v^) = sign(g) on step 1
    assert p["w"] == pytest.approx([0.99, 1.01], abs=1e-5)


def test_schedules():
    assert scheduled_lr(0.1, "constant", 7.5, 10) == 0.1
    assert scheduled_lr(0.1, "step", 4.9, 10, step_every=5) == 0.1
    assert scheduled_lr(0.1, "step", 5.0, 10, step_every=5) == pytest.approx(0.05)
    assert scheduled_lr(0.1, "cosine", 0, 10) == pytest.approx(0.1)
    assert scheduled_lr(0.1, "cosine", 5, 10) == pytest.approx(0.1 * (0.01 + 0.99 * 0.5))
    assert scheduled_lr(0.1, "cosine", 10, 10) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="unknown schedule"):
        scheduled_lr(0.1, "warmup", 0, 1)


def test_presets_carry_their_published_figures_and_can_be_changed():
    assert PRESETS["tutorial-10-10"].config.batch_size is None and PRESETS["tutorial-10-10"].published == 0.85
    assert PRESETS["nielsen-30"].config.hidden == (30,) and PRESETS["nielsen-30"].config.output == "sigmoid"
    assert preset_config("fast", epochs=1).epochs == 1 and PRESETS["fast"].config.epochs == 8
    with pytest.raises(ValueError, match="unknown preset"):
        preset_config("resnet")
