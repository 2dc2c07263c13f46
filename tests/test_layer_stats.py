"""Layer statistics while training (core.nn.layer_stats): each statistic by hand, the Trainer's records against a
recomputation, and their way into the model file."""
import numpy as np
import pytest

import core.training as training
from core.io import ModelFileError, load_model, model_bytes
from core.nn.cnn import ConvNet
from core.nn.layer_stats import (dead_share, measure, rms, stats_from_record, stats_record, update_ratio,
                                 weight_names)
from core.nn.network import Network
from core.nn.optim import SGD
from core.presets import TrainConfig
from core.training import Splits, Trainer, split_images, train_metadata


def tiny_network() -> Network:
    """2 inputs -> 2 ReLU units -> 2 softmax outputs, float64, weights chosen for easy arithmetic."""
    return Network([np.array([[3.0, 0.0], [4.0, -1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])],
                   [np.zeros(2), np.zeros(2)])


def test_each_statistic_by_hand():
    assert rms(np.array([[3.0, 4.0], [0.0, 0.0]])) == pytest.approx(2.5)  # sqrt((9 + 16 + 0 + 0) / 4)
    assert update_ratio(np.array([3.0, 4.0]), np.array([3.3, 4.4])) == pytest.approx(0.1)  # ||(.3, .4)|| / ||(3, 4)||
    # unit 0 fires on the first example; unit 1 never (its best is 0, not > 0); unit 2 never
    assert dead_share(np.array([[1.0, 0.0, -2.0], [-1.0, -3.0, -1.0]])) == pytest.approx(2 / 3)
    maps = np.zeros((2, 3, 3, 4))
    maps[1, 2, 0, 3] = 0.5  # filter 3 fires at one position of one image: alive; filters 0-2 dead
    assert dead_share(maps) == pytest.approx(3 / 4)


def test_one_sgd_step_of_a_tiny_network_measured_by_hand():
    net = tiny_network()
    X, y = np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([0, 1])
    # Z1 = X W1: example 1 (1, 1) -> (7, -1); example 2 (1, -1) -> (-1, 1): both units fire once, none dead
    fwd = net.forward(X)
    grads = net.backward(fwd, (fwd.P - np.eye(2)[y]) / 2)  # dZ2 = (P - Y) / N
    before = [W.copy() for W in net.weight_arrays()]
    SGD().step(net.params(), grads, lr=0.1)  # W <- W - 0.1 dW
    stats = measure(net, fwd, grads, before)
    for l, (W0, W, name) in enumerate(zip(before, net.weights, ("W1", "W2"))):
        assert stats["weight_rms"][l] == pytest.approx(np.sqrt(np.sum(W ** 2) / 4), rel=1e-6)
        assert stats["grad_rms"][l] == pytest.approx(np.sqrt(np.sum(grads[name] ** 2) / 4), rel=1e-6)
        # plain SGD moves W by lr dW: ratio = lr ||dW|| / ||W_before||
        assert stats["update_ratio"][l] == pytest.approx(0.1 * np.linalg.norm(grads[name]) / np.linalg.norm(W0),
                                                         rel=1e-6)
    assert stats["weight_rms"][0] != pytest.approx(stats["weight_rms"][1])  # per layer, not one number
    assert stats["dead_share"].tolist() == [0.0]  # one hidden ReLU layer, both units alive on this batch


def float64_trainer(mnist_train, **settings) -> Trainer:
    config = TrainConfig(**{"hidden": (6,), "batch_size": None, "epochs": 3, "train_size": 64, "val_size": 10,
                            **settings})
    splits = Splits.from_images(*split_images(config, *mnist_train), dtype=np.float64)
    return Trainer(config, splits)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_the_trainer_records_what_a_recomputation_of_its_first_steps_finds(mnist_train, optimizer):
    trainer = float64_trainer(mnist_train, optimizer=optimizer, learning_rate=0.05)
    X, y = trainer.splits.X_train, trainer.splits.y_train
    steps = trainer.run()
    for step in (1, 2, 3):  # full batch: one step an epoch, every step recorded
        before = trainer.network.copy()
        event = next(steps)
        assert event.kind == "step" and event.step == step
        recorded = trainer.layer_stats[-1]
        assert recorded.step == step and recorded.epoch == float(step)
        _, grads = before.gradients(X, y)  # the whole set, in any order, is the batch
        after = trainer.network.weights
        np.testing.assert_allclose(recorded.weight_rms, [rms(W) for W in after], rtol=1e-6)
        np.testing.assert_allclose(recorded.grad_rms, [rms(grads["W1"]), rms(grads["W2"])], rtol=1e-6)
        np.testing.assert_allclose(recorded.update_ratio, [np.linalg.norm(A - B) / np.linalg.norm(B)
                                                           for A, B in zip(after, before.weights)], rtol=1e-6)
        dead = np.mean(np.all(before.forward(X).Zs[0] <= 0, axis=0))  # units with no positive Z on any example
        np.testing.assert_allclose(recorded.dead_share, [dead], atol=1e-7)
        assert next(steps).kind == "epoch"


def test_a_unit_killed_on_purpose_counts_as_dead(mnist_train):
    trainer = float64_trainer(mnist_train, optimizer="sgd", epochs=1)
    W1, b1 = trainer.network.weights[0], trainer.network.biases[0]
    W1[:, 2], b1[2] = 0.0, -1.0  # Z = -1 for every image: relu passes nothing, and no gradient brings it back
    alive_before = np.mean(np.any(trainer.network.forward(trainer.splits.X_train).Zs[0] > 0, axis=0))
    list(trainer.run())
    assert trainer.layer_stats[0].dead_share[0] == pytest.approx(1 - alive_before)
    assert trainer.layer_stats[0].dead_share[0] >= 1 / 6


def test_a_convnet_counts_its_kernels_and_its_dead_filters(rng):
    net = ConvNet.create(((4, 3, "same"),), (5,), seed=0, dtype=np.float64)
    K1, b1 = net.params()["K1"], net.params()["b1"]
    K1[..., 1], b1[1] = 0.0, -1.0  # filter 1 answers -1 everywhere: dead
    X, y = rng.random((8, 784)), rng.integers(0, 10, 8)
    fwd = net.forward(X)
    grads = net.backward(fwd, (fwd.P - np.eye(10)[y]) / 8)
    before = [W.copy() for W in net.weight_arrays()]
    SGD().step(net.params(), grads, lr=0.1)
    stats = measure(net, fwd, grads, before)
    assert weight_names(net) == ["K1", "W2", "W3"]
    assert stats["weight_rms"][0] == pytest.approx(rms(K1), rel=1e-6)  # the kernels are the layer's weights
    assert stats["dead_share"][0] == pytest.approx(1 / 4)  # one filter of four; then the dense ReLU layer
    assert len(stats["dead_share"]) == 2 and len(stats["update_ratio"]) == 3


def test_about_ten_steps_an_epoch_are_recorded_and_long_runs_thinned(mnist_train, monkeypatch):
    config = TrainConfig(hidden=(4,), batch_size=10, epochs=2, train_size=200, val_size=10)  # 20 steps an epoch
    trainer = Trainer(config, Splits.from_images(*split_images(config, *mnist_train)))
    list(trainer.run())
    assert [p.step for p in trainer.layer_stats] == list(range(1, 41, 2))
    assert trainer.layer_stats[1].epoch == pytest.approx(3 / 20) and trainer.layer_stats[0].weight_rms.dtype == np.float32
    monkeypatch.setattr(training, "MAX_STATS_POINTS", 8)
    trainer = Trainer(config, Splits.from_images(*split_images(config, *mnist_train)))
    list(trainer.run())
    assert len(trainer.layer_stats) <= 9 and [p.step for p in trainer.layer_stats][:3] == [1, 9, 17]
    trainer = Trainer(config, Splits.from_images(*split_images(config, *mnist_train)))
    trainer.stats_per_epoch = 0  # as estimate_seconds times its steps
    list(trainer.run())
    assert trainer.layer_stats == []


def test_the_model_file_keeps_them_and_rejects_a_broken_record(mnist_train):
    trainer = float64_trainer(mnist_train)
    list(trainer.run())
    meta = train_metadata(trainer.config, None, 0.5, trainer)
    _, loaded = load_model(model_bytes(trainer.network, meta))
    points = stats_from_record(loaded["layer_stats"])
    assert loaded["layer_stats"]["layers"] == ["W1", "W2"] and [p.step for p in points] == [1, 2, 3]
    for point, kept in zip(trainer.layer_stats, points):
        np.testing.assert_allclose(kept.update_ratio, point.update_ratio, rtol=1e-3)  # 4 significant digits
        np.testing.assert_allclose(kept.grad_rms, point.grad_rms, rtol=1e-3)
    assert "layer_stats" not in load_model(model_bytes(trainer.network, {"history": meta["history"]}))[1]  # older files
    broken = stats_record(trainer.layer_stats, ["W1", "W2"])
    broken["weight_rms"][1] = broken["weight_rms"][1][:1]  # one layer's value lost
    with pytest.raises(ModelFileError, match="one value per layer"):
        load_model(model_bytes(trainer.network, {**meta, "layer_stats": broken}))
    elsewhere = {**meta, "layer_stats": stats_record(trainer.layer_stats, ["K1", "W2"])}
    with pytest.raises(ModelFileError, match="its weights are"):  # another network's statistics
        load_model(model_bytes(trainer.network, elsewhere))
