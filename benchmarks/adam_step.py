"""Adam's step as the textbook writes it (core.nn.optim.Adam) against the form that folds both bias corrections
into the step size, on the fast preset's parameters (784-256-10, float32), interleaved; and the share of one
whole training step (batch 128) that Adam's update takes.

The folded form, lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) and W <- W - lr_t m / (sqrt(v) + eps), saves one
multiplication per weight but makes the effective eps = eps / sqrt(1 - b2^t) (31.6 eps at step 1).

    python benchmarks/adam_step.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads

import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.nn.network import Network  # noqa: E402
from core.nn.optim import Adam  # noqa: E402

ROUNDS, STEPS = 7, 300


class FoldedAdam(Adam):
    """The comparison: both bias corrections folded into the step size."""

    def step(self, params, grads, lr):
        self.t += 1
        lr_t = lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for name, p in params.items():
            g, m = grads[name], self.m.setdefault(name, np.zeros_like(p))
            v, tmp = self.v.setdefault(name, np.zeros_like(p)), self.scratch.setdefault(name, np.empty_like(p))
            np.subtract(g, m, out=tmp)
            tmp *= 1 - self.beta1
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - self.beta2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr_t
            p -= tmp


def per_step(optimizer, params, grads) -> float:
    began = time.perf_counter()
    for _ in range(STEPS):
        optimizer.step(params, grads, 1e-3)
    return (time.perf_counter() - began) / STEPS


def main():
    rng = np.random.default_rng(0)
    network = Network.create((256,))
    X, y = rng.random((128, 784), np.float32), rng.integers(0, 10, 128)
    grads = {name: rng.standard_normal(p.shape).astype(np.float32) * 1e-3 for name, p in network.params().items()}
    times = {"textbook": [], "folded": []}
    for _ in range(ROUNDS):  # alternate, so a busy machine slows both alike
        for name, kind in (("textbook", Adam), ("folded", FoldedAdam)):
            times[name].append(per_step(kind(), network.copy().params(), grads))
    began = time.perf_counter()
    for _ in range(STEPS):
        network.gradients(X, y)
    backprop = (time.perf_counter() - began) / STEPS
    textbook, folded = (float(np.median(times[k])) for k in ("textbook", "folded"))
    print(f"{'form':<10} {'ms per Adam step':>17} {'share of a training step':>26}")
    for name, t in (("textbook", textbook), ("folded", folded)):
        print(f"{name:<10} {t * 1e3:17.3f} {t / (t + backprop):26.1%}")
    print(f"forward + backward of a batch of 128: {backprop * 1e3:.3f} ms; "
          f"textbook costs {(textbook - folded) / (folded + backprop):+.1%} per training step")


if __name__ == "__main__":
    main()
