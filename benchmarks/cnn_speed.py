"""CNN training speed: this project's cnn-99 preset in core against the same network in PyTorch on the CPU.

Same layers (conv 8@5×5 same → ReLU → max-pool → conv 16@5×5 same → ReLU → max-pool → 128 → 10),
optimiser (Adam), learning rate and cosine schedule, batch size and training images; epochs
alternate between the two, so a busy machine slows both alike. Prints seconds per epoch, their
ratio, the time to 99 % test accuracy and the final accuracy. Without PyTorch it times core alone.

    pip install -r benchmarks/requirements-torch.txt     # PyTorch, CPU; optional
    python benchmarks/cnn_speed.py [--threads 1] [--epochs 6]
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--threads", type=int, default=1, help="BLAS / PyTorch threads for both (default 1)")
parser.add_argument("--epochs", type=int, help="override the preset's epochs")
args = parser.parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)  # before NumPy loads

import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.data import load_mnist, to_inputs  # noqa: E402
from core.nn.optim import scheduled_lr  # noqa: E402
from core.presets import preset_config  # noqa: E402
from core.training import Trainer, make_splits  # noqa: E402
from benchmarks.timing import time_to  # noqa: E402

TARGET = 0.99


def core_contender(config, splits, X_test, y_test):
    """(run one epoch, test accuracy now) for this project's trainer."""
    trainer = Trainer(config, splits)
    return (lambda: list(trainer.run(1))), (lambda: trainer.network.accuracy(X_test, y_test))


def torch_contender(config, splits, X_test, y_test):
    """The same network, optimiser and schedule in PyTorch (its own default initialisation)."""
    import torch
    from torch import nn
    torch.set_num_threads(args.threads)
    torch.manual_seed(config.seed)
    blocks, channels, size = [], 1, 28
    for filters, kernel, padding in config.convs:
        blocks += [nn.Conv2d(channels, filters, kernel, padding=padding), nn.ReLU(), nn.MaxPool2d(2)]
        size = (size - (kernel - 1 if padding == "valid" else 0)) // 2
        channels = filters
    widths = [channels * size * size, *config.hidden]
    dense = [layer for n_in, n_out in zip(widths, widths[1:]) for layer in (nn.Linear(n_in, n_out), nn.ReLU())]
    model = nn.Sequential(*blocks, nn.Flatten(), *dense, nn.Linear(widths[-1], 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)
    X = torch.from_numpy(splits.X_train.reshape(-1, 1, 28, 28))
    y = torch.from_numpy(splits.y_train.astype(np.int64))
    X_t, y_t = torch.from_numpy(X_test.reshape(-1, 1, 28, 28)), torch.from_numpy(y_test.astype(np.int64))
    done = [0]

    def run_epoch():
        model.train()
        order, steps = torch.randperm(len(X)), -(-len(X) // config.batch_size)
        for i, start in enumerate(range(0, len(X), config.batch_size)):
            for group in optimizer.param_groups:
                group["lr"] = scheduled_lr(config.learning_rate, config.schedule, done[0] + i / steps, config.epochs)
            idx = order[start:start + config.batch_size]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X[idx]), y[idx]).backward()
            optimizer.step()
        done[0] += 1

    def accuracy():
        model.eval()
        with torch.no_grad():
            return float((model(X_t).argmax(1) == y_t).float().mean())
    return run_epoch, accuracy


def main():
    config = preset_config("cnn-99", epochs=args.epochs)
    splits = make_splits(config, *load_mnist("train"))
    test_images, y_test = load_mnist("test")
    X_test = to_inputs(test_images)
    contenders = {"core (NumPy)": core_contender(config, splits, X_test, y_test)}
    try:
        contenders["PyTorch (CPU)"] = torch_contender(config, splits, X_test, y_test)
    except ImportError:
        print("PyTorch is not installed: timing core alone "
              "(pip install -r benchmarks/requirements-torch.txt to compare)")
    runs = {name: [] for name in contenders}
    for epoch in range(1, config.epochs + 1):
        for name, (run_epoch, accuracy) in contenders.items():
            began = time.perf_counter()
            run_epoch()
            seconds = time.perf_counter() - began
            runs[name].append((seconds, accuracy()))
            print(f"epoch {epoch}  {name:<14} {seconds:6.2f} s  test accuracy {runs[name][-1][1]:.4f}", flush=True)
    print(f"\n{config.epochs} epochs of cnn-99 on {len(splits.X_train):,} images, batch {config.batch_size}, Adam lr "
          f"{config.learning_rate} cosine, {args.threads} thread(s)")
    print(f"{'':<14} {'s/epoch':>8} {'total':>8} {'to 99%':>14} {'final':>7}")
    per_epoch = {}
    for name, results in runs.items():
        seconds = np.array([r[0] for r in results])
        per_epoch[name] = float(np.median(seconds))
        print(f"{name:<14} {per_epoch[name]:8.2f} {seconds.sum():8.1f} {time_to(results, TARGET):>14} "
              f"{results[-1][1]:7.4f}")
    if len(per_epoch) == 2:
        ratio = per_epoch["core (NumPy)"] / per_epoch["PyTorch (CPU)"]
        print(f"core takes {ratio:.2f}x PyTorch's time per epoch (median epoch; target ≤ 2x)")


if __name__ == "__main__":
    main()
