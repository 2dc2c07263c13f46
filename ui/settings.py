"""The Train page's settings: widgets that fill a TrainConfig, presets that fill the widgets."""
from dataclasses import dataclass
from typing import Callable

import streamlit as st

from core.nn.activations import ACTIVATIONS
from core.nn.losses import OUTPUTS
from core.nn.optim import OPTIMIZER_LABELS, OPTIMIZERS, SCHEDULES
from core.data import DATASETS
from core.presets import PRESETS, TrainConfig
from ui import state

FULL_BATCH = "full batch"
BATCHES = [1, 10, 16, 32, 64, 128, 256, 512, 1024, FULL_BATCH]
TRAIN_SIZES = [100, 500, 1000, 5000, 10000, 20000, 30000, 40000, 55000]
MAX_HIDDEN_LAYERS, MAX_WIDTH = 4, 1024
MAX_EPOCHS_MINIBATCH, MAX_EPOCHS_FULL_BATCH = 50, 500  # a full-batch epoch is a single step
# a convolutional epoch costs 10-20 s of a core (an MLP's about 1 s): fewer epochs and smaller batches
# keep one learner's CNN from holding a training slot for many minutes or hundreds of MB
MAX_CONV_BLOCKS, MAX_FILTERS, MAX_KERNEL, MAX_EPOCHS_CONV, MAX_BATCH_CONV = 2, 32, 7, 10, 256
OUTPUT_NAMES = {name: output.label for name, output in OUTPUTS.items()}


def batch_text(text: str):
    return FULL_BATCH if text == "full" else int(text)


@dataclass(frozen=True)
class Setting:
    """One knob of the Train page, written once: the TrainConfig field it fills, its name in a class link, the
    widget that shows it (its options hold the limits every reader checks), and how its value converts."""
    field: str                  # the TrainConfig field
    url: str                    # its name in the page address
    widget: str                 # the st.* widget that shows it, drawn with `options` as its arguments
    options: dict
    beginner: bool = False      # shown at once; the rest wait under "More settings" (hidden in presenter mode)
    in_presets: bool = True     # a preset sets it (the dataset is the learner's choice, whatever the preset)
    from_config: Callable = lambda value: value  # a config's value -> the widget's value
    to_config: Callable = lambda value: value    # the widget's value -> the config's (ValueError with the reason)
    from_text: Callable = str                    # a link's text -> the widget's value (then checked as a widget)
    to_text: Callable = str                      # the widget's value -> a link's text


FIELDS = {  # widget key -> Setting, in the order they are drawn
    "train_hidden": Setting("hidden", "hidden", "text_input", dict(
        label="Hidden layers",
        help="Neurons in each hidden layer, comma-separated, 0 to 4 layers: `128`, `16, 16`, or empty for none."),
        beginner=True, from_config=lambda v: ", ".join(map(str, v)), to_config=lambda v: parse_hidden(v),
        to_text=lambda v: v.replace(" ", "")),
    "train_lr": Setting("learning_rate", "lr", "number_input", dict(
        label="Learning rate", min_value=0.0, max_value=100.0, format="%g", step=1e-3,
        help="How far each step moves the weights: too small learns slowly, too large overshoots."),
        beginner=True, from_config=float, to_config=float, from_text=float, to_text=lambda v: f"{v:g}"),
    "train_batch": Setting("batch_size", "batch", "select_slider", dict(
        label="Batch size", options=BATCHES, help="Images averaged for each step; `full batch`: all of them."),
        beginner=True, from_config=lambda v: FULL_BATCH if v is None else v,
        to_config=lambda v: None if v == FULL_BATCH else int(v), from_text=batch_text,
        to_text=lambda v: "full" if v == FULL_BATCH else str(v)),
    "train_epochs": Setting("epochs", "epochs", "number_input", dict(
        label="Epochs", min_value=1, max_value=MAX_EPOCHS_FULL_BATCH, step=1,
        help="Passes over all the training images."), beginner=True, to_config=int, from_text=int),
    "train_size": Setting("train_size", "images", "select_slider", dict(
        label="Training images", options=TRAIN_SIZES,
        help="5,000 more are held out for validation; the 10,000 test images are never trained on."),
        beginner=True, from_config=lambda v: TRAIN_SIZES[-1] if v is None else v, to_config=int, from_text=int),
    "train_convs": Setting("convs", "convs", "text_input", dict(
        label="Convolution blocks (empty: a dense network)",
        help="Each block is a convolution, the activation and a 2×2 max-pool: `filters@kernel padding`, "
             f"comma-separated, like `8@5 same, 16@5 same`; at most {MAX_CONV_BLOCKS}."),
        from_config=lambda v: ", ".join(f"{f}@{k} {p}" for f, k, p in v), to_config=lambda v: parse_convs(v)),
    "train_activation": Setting("activation", "activation", "selectbox",
                                dict(label="Activation", options=list(ACTIVATIONS))),
    "train_output": Setting("output", "output", "selectbox", dict(label="Output and loss", options=list(OUTPUTS),
                                                                  format_func=OUTPUT_NAMES.get)),
    "train_optimizer": Setting("optimizer", "optimizer", "selectbox", dict(
        label="Optimiser", options=list(OPTIMIZERS), format_func=OPTIMIZER_LABELS.get)),
    "train_schedule": Setting("schedule", "schedule", "selectbox",
                              dict(label="Learning-rate schedule", options=list(SCHEDULES))),
    "train_l2": Setting("l2", "l2", "number_input", dict(label="L2 regularisation", min_value=0.0, max_value=1.0,
                                                         format="%g", step=1e-4),
                        from_config=float, to_config=float, from_text=float, to_text=lambda v: f"{v:g}"),
    "train_dropout": Setting("dropout", "dropout", "slider", dict(label="Dropout (hidden layers)", min_value=0.0,
                                                                  max_value=0.8, step=0.05),
                             from_config=float, to_config=float, from_text=float, to_text=lambda v: f"{v:g}"),
    "train_dataset": Setting("dataset", "data", "selectbox", dict(
        label="Dataset", options=list(DATASETS), format_func=lambda name: f"{DATASETS[name].title}: {DATASETS[name].items}",
        help="What it learns to read: handwritten digits (MNIST) or photos of clothes (Fashion-MNIST), "
             "both 28×28 grey images in 10 classes."), in_presets=False),
    "train_augment": Setting("augment", "augment", "toggle", dict(
        label="Augment the images",
        help="Each batch, every image gets a new random shift (±2 pixels), rotation (±12°) and thinner or thicker "
             "stroke (±1 pixel): the model sees more kinds of handwriting. Slower to learn, sturdier on new digits."),
        to_config=lambda v: on_off(v), to_text=lambda v: "on" if v else "off"),
    "train_seed": Setting("seed", "seed", "number_input", dict(label="Seed", min_value=0, max_value=2**31 - 1, step=1),
                          to_config=int, from_text=int),
}
PRESET_KEY = "train_preset"


def widget_values(config: TrainConfig) -> dict:
    return {key: setting.from_config(getattr(config, setting.field)) for key, setting in FIELDS.items()}


def apply_preset():
    """Callback: fill every setting from the chosen preset (runs before the widgets are drawn)."""
    apply_preset_values(st.session_state[PRESET_KEY])


def apply_preset_values(name: str):
    """Put a preset's settings into the Train page's widgets (before they are drawn)."""
    if name in PRESETS:
        st.session_state[PRESET_KEY] = name
        for key, value in widget_values(PRESETS[name].config).items():
            if FIELDS[key].in_presets:
                st.session_state[key] = value
        state.remember(PRESET_KEY, *FIELDS)


def on_off(value) -> bool:
    """A switch's value: the toggle's True or False, or a link's `on` or `off`. Raises ValueError with the reason."""
    if value in (True, False, "on", "off"):
        return value in (True, "on")
    raise ValueError("Augment: write `on` or `off`.")


def parse_hidden(text: str) -> tuple:
    """'128' or '16, 16' -> (16, 16); '' -> () (no hidden layer). Raises ValueError with the reason."""
    parts = [p for p in text.replace(" ", ",").split(",") if p]
    try:
        widths = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError("Hidden layers: write the widths as whole numbers separated by commas, like `128` "
                         "or `16, 16`.") from None
    if len(widths) > MAX_HIDDEN_LAYERS or any(not 1 <= w <= MAX_WIDTH for w in widths):
        raise ValueError(f"Hidden layers: at most {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_WIDTH} neurons each.")
    return widths


def parse_convs(text: str) -> tuple:
    """'8@5 same, 16@5 valid' -> ((8, 5, 'same'), (16, 5, 'valid')): filters@kernel, padding 'same' unless said;
    '' -> () (a dense network). Raises ValueError with the reason."""
    blocks = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        size, _, padding = part.partition(" ")
        filters, _, kernel = size.partition("@")
        try:
            block = (int(filters), int(kernel), padding.strip() or "same")
        except ValueError:
            raise ValueError(f"Convolution blocks: write each as filters@kernel and a padding, like `8@5 same`; "
                             f"`{part}` is not.") from None
        if not (1 <= block[0] <= MAX_FILTERS and 1 <= block[1] <= MAX_KERNEL) or block[2] not in ("same", "valid"):
            raise ValueError(f"Convolution blocks: 1 to {MAX_FILTERS} filters of size 1 to {MAX_KERNEL}, "
                             f"padding `same` or `valid`; `{part}` is outside that.")
        blocks.append(block)
    if len(blocks) > MAX_CONV_BLOCKS:
        raise ValueError(f"Convolution blocks: at most {MAX_CONV_BLOCKS} (each halves the 28×28 maps).")
    return tuple(blocks)


def settings_form(disabled: bool, compact: bool = False) -> tuple:
    """Draw the settings; return (TrainConfig, None) or (None, a message saying what to fix).

    The beginner's settings come first, the others under "More settings"; `compact` (presenter mode) leaves
    those out (they keep their values).
    """
    defaults = widget_values(PRESETS["fast"].config)
    st.selectbox("Start from a preset", ["custom", *PRESETS], key=state.kept(PRESET_KEY, "fast"),
                 on_change=apply_preset, disabled=disabled,
                 format_func=lambda n: n if n == "custom" else f"{n}: {PRESETS[n].title} (published {PRESETS[n].published:.0%})")
    for key in FIELDS:
        state.kept(key, defaults[key])
    beginner = [key for key, setting in FIELDS.items() if setting.beginner]
    draw_settings(beginner, st.columns(len(beginner)), disabled)
    if not compact:
        more = [key for key in FIELDS if key not in beginner]
        with st.expander("More settings: dataset, architecture, optimiser, regularisation, augmentation, seed",
                         icon=":material/tune:"):
            draw_settings(more, st.columns(5), disabled)
    state.remember(PRESET_KEY, *FIELDS)
    return config_from_widgets(st.session_state)


def draw_settings(keys: list, columns: list, disabled: bool):
    """Each setting's widget, in the columns in turn (a second row under the first when there are more)."""
    for i, key in enumerate(keys):
        setting = FIELDS[key]
        getattr(columns[i % len(columns)], setting.widget)(key=key, disabled=disabled, **setting.options)


def config_from_widgets(values) -> tuple:
    """(TrainConfig, None) from the widgets' values, or (None, a message saying what to fix)."""
    try:
        fields = {setting.field: setting.to_config(values[key]) for key, setting in FIELDS.items()}
    except ValueError as err:
        return None, str(err)
    if fields["convs"]:
        problem = conv_limits(fields["batch_size"], fields["epochs"], fields["dropout"])
        if problem:
            return None, problem
    limit = MAX_EPOCHS_FULL_BATCH if fields["batch_size"] is None else MAX_EPOCHS_MINIBATCH
    if fields["epochs"] > limit:
        return None, (f"At most {limit} epochs with mini-batches on this shared app (full-batch gradient descent, "
                      f"one step an epoch, may run {MAX_EPOCHS_FULL_BATCH}).")
    if fields["learning_rate"] <= 0:
        return None, "The learning rate must be above 0: with 0 the weights never change."
    return TrainConfig(**fields), None


def conv_limits(batch_size: int | None, epochs: int, dropout: float) -> str | None:
    """Why a convolutional training is refused on this shared app, or None (batch_size None: full batch)."""
    if batch_size is None or batch_size > MAX_BATCH_CONV:
        return (f"A convolutional network trains in batches of at most {MAX_BATCH_CONV} here: its patches of "
                "every image take memory in proportion to the batch.")
    if epochs > MAX_EPOCHS_CONV:
        return (f"At most {MAX_EPOCHS_CONV} epochs for a convolutional network on this shared app: each epoch "
                "takes 10-20 s of a processor core, and the other learners wait for free training slots.")
    if dropout:
        return "Dropout is for dense networks here; set it to 0 (convolution and pooling already regularise)."
    return None
