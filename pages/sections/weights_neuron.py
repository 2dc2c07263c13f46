"""Weights page, its parts: the test images read through the hidden layers once per model, and one neuron up close."""
import hashlib
from typing import NamedTuple

import numpy as np
import streamlit as st

from core.nn.explain import SHOWN, Neuron, dead_neurons, describe_neuron, neuron_selectivity, neuron_usage
from ui import charts
from ui.images import digit_grid
from ui.numbers import percent
from ui.shell import show_chart, side_by_side


class Readings(NamedTuple):
    """What the test images do to the first layer's neurons, and which neurons of each hidden layer never fire."""
    Z: np.ndarray            # (N, H) each first-layer neuron's pre-activation on each test image (its output: f(Z))
    votes: np.ndarray        # (H, 10) how much each raises each output
    selectivity: np.ndarray  # (H,) how clearly each fires most for one class (neuron_selectivity)
    usage: np.ndarray        # (H,) how loudly the next layer hears it (neuron_usage)
    dead: list               # per hidden layer, (H_l,) booleans: never fires; None if its activation cannot die


def read_test_images(model) -> Readings:
    """The model's readings of its test set, computed once per model and weights (a taught copy changes them)."""
    return readings(model.key, weights_digest(model.network), model.network, model.data)


def weights_digest(net) -> str:
    """A fingerprint of the weights, for caches shared by every session: a taught copy keeps its model's key."""
    digest = hashlib.sha256()
    for p in net.params().values():
        digest.update(p.tobytes())
    return digest.hexdigest()


@st.cache_resource(max_entries=16, show_spinner="Reading the test images through the hidden layers…")
def readings(key: str, weights_digest: str, _net, _data) -> Readings:
    """One forward pass of the test set: the same for everyone who looks at this model."""
    fwd = _net.forward(_data.X_test)
    hidden = fwd.As[1:-1]                                    # every hidden layer's activations (N, H_l)
    A = hidden[0] if hidden else fwd.logits                  # no hidden layer: each "neuron" is an output's score
    votes, W_next = np.eye(A.shape[1]), np.ones((A.shape[1], 1))
    if hidden:
        votes = W_next = _net.weights[1]
        for W in _net.weights[2:]:
            votes = votes @ W  # deeper networks: the straight path through later layers, ignoring their activations
    selectivity = neuron_selectivity(A, _data.test_labels)[1]
    return Readings(fwd.Zs[0], votes, selectivity, neuron_usage(A, W_next),
                        [dead_neurons(A_l, _net.activation) for A_l in hidden])


def dead_counts(dead: list, activation: str, images: int) -> str:
    """How many neurons of each hidden layer never fire, in words ('' without hidden layers)."""
    if not dead:
        return ""
    if dead[0] is None:
        return (f"A {activation} neuron cannot die: its slope is never 0, so every test image still moves its "
                "weights.")
    counts = "; ".join(f"hidden layer {l}: **{d.sum()} of {d.size}**" for l, d in enumerate(dead, start=1))
    return f":material/block: Neurons that never fire on the {images:,} test images (dead): {counts}."


def listed(names) -> str:
    """'**a**', '**a** and **b**', '**a**, **b** and **c**'."""
    bold = [f"**{n}**" for n in names]
    return " and ".join([", ".join(bold[:-1]), bold[-1]] if len(bold) > 1 else bold)


def in_words(k: int, n: Neuron, classes, images: int) -> str:
    """Neuron k's numbers as a short paragraph."""
    def many(c: int) -> str:                                 # '**0**s', '**Trouser** images'
        return f"**{classes[c]}**s" if classes[c].isdigit() else f"**{classes[c]}** images"
    if n.dead:
        return (f"Neuron {k} **never fires**: all {images:,} test images leave it at exactly {n.rest:g}. It adds "
                "nothing to the outputs, and its activation's slope is 0 there, so no gradient reaches its "
                "weights to bring it back.")
    words = [f"Neuron {k} fires most for {many(n.favourite)} (their mean is {n.selectivity:.1f} standard "
             f"deviations above the other classes' mean) and is silenced most by {many(n.quietest)}"]
    votes = [f"{side} {listed(classes[j] for j in outputs)}"
             for side, outputs in (("for", n.votes_for), ("against", n.votes_against)) if len(outputs)]
    if votes:
        words.append("it votes " + " and ".join(votes))
    if n.at_rest is not None:
        words.append(f"it stays at {n.rest:g} on **{percent(n.at_rest)}** of the {images:,} test images")
    return "; ".join(words) + "."


def show_neuron(net, data, seen: Readings, k: int):
    """One neuron up close: in words, its weights, bias and votes, the test images that excite and silence it."""
    classes, labels = data.info.classes, data.test_labels
    activation = net.activation if len(net.weights) > 1 else None   # no hidden layer: output units, a = z
    n = describe_neuron(seen.Z[:, k], labels, seen.votes[k], activation)
    best = int(seen.selectivity.argmax())
    st.markdown(in_words(k, n, classes, len(labels)) + f" The page opens on neuron {best}, the most selective "
                f"of all ({seen.selectivity[best]:.1f}).")
    if n.dead:
        st.badge("dead: never fires on the test images", icon=":material/block:", color="red")
    W1 = net.weights[0]
    big, facts = side_by_side([3, 2])
    show_chart(charts.weight_image(W1[:, k], f"neuron {k}: its 784 weights", height=420), key="neuron_big", where=big)
    facts.metric("Bias", f"{net.biases[0][k]:+.4f}")
    show_chart(charts.histogram(W1[:, k], f"Its {W1.shape[0]} weights", nbins=40, height=220), key="neuron_hist",
               where=facts)
    if activation:
        note = "" if len(net.weights) == 2 else " (through later layers, ignoring their activations)"
        show_chart(charts.bars(seen.votes[k], classes, f"Which outputs it votes for{note}", height=220,
                               color=["#d62728" if v > 0 else "#1f77b4" for v in seen.votes[k]]),
                   key="neuron_votes", where=facts)
    show_extremes(data, seen.Z[:, k], n, k)


def show_extremes(data, z, n: Neuron, k: int):
    """The test images that excite neuron k most and those that silence it, side by side, with a and z under each."""
    classes, labels = data.info.classes, data.test_labels

    def captions(images) -> list:
        return [f"#{i} {classes[labels[i]]}: {n.a[i]:.2f} z={z[i]:.1f}" for i in images]
    st.caption("Under each test image: its number, its label, the neuron's output a and its input z.")
    excite, silence = side_by_side(2)
    excite.markdown(f"**The {SHOWN} test images that {'come closest to waking' if n.dead else 'excite'} neuron {k}**")
    excite.container(key="neuron_exciting").html(digit_grid(data.test_images[n.exciting] / 255,
                                                            captions(n.exciting), 6))
    silence.markdown(f"**The {SHOWN} that silence it most** (the lowest z first)")
    silence.container(key="neuron_silencing").html(digit_grid(data.test_images[n.silencing] / 255,
                                                              captions(n.silencing), 6))
