"""The Train page's settings in the page address, so a teacher shares one link and a class starts alike.

Every value read from a link is checked; what does not make sense is ignored with a message.
"""
from core.nn.activations import ACTIVATIONS
from core.nn.losses import OUTPUTS
from core.nn.optim import OPTIMIZERS, SCHEDULES
from ui.settings import BATCHES, FIELDS, FULL_BATCH, TRAIN_SIZES, parse_convs, parse_hidden

PARAMS = {  # URL name -> (widget key, parse text -> widget value, format widget value -> text)
    "convs": ("train_convs", lambda t: conv_blocks(t), str),
    "hidden": ("train_hidden", lambda t: hidden_layers(t), lambda v: v.replace(" ", "")),
    "activation": ("train_activation", lambda t: choose(t, ACTIVATIONS), str),
    "output": ("train_output", lambda t: choose(t, OUTPUTS), str),
    "optimizer": ("train_optimizer", lambda t: choose(t, OPTIMIZERS), str),
    "lr": ("train_lr", lambda t: bounded(float(t), 1e-6, 100.0), lambda v: f"{v:g}"),
    "schedule": ("train_schedule", lambda t: choose(t, SCHEDULES), str),
    "batch": ("train_batch", lambda t: FULL_BATCH if t == "full" else choose(int(t), BATCHES),
              lambda v: "full" if v == FULL_BATCH else str(v)),
    "epochs": ("train_epochs", lambda t: bounded(int(t), 1, 500), str),
    "l2": ("train_l2", lambda t: bounded(float(t), 0.0, 1.0), lambda v: f"{v:g}"),
    "dropout": ("train_dropout", lambda t: bounded(float(t), 0.0, 0.8), lambda v: f"{v:g}"),
    "seed": ("train_seed", lambda t: bounded(int(t), 0, 2**31 - 1), str),
    "images": ("train_size", lambda t: choose(int(t), TRAIN_SIZES), str),
}


class Unusable(ValueError):
    """A value that parses but makes no sense here; the message says why."""


def choose(value, allowed):
    if value not in allowed:
        raise Unusable(f"not one of {', '.join(map(str, allowed))}")
    return value


def bounded(value, low, high):
    if not low <= value <= high:
        raise Unusable(f"outside {low:g} to {high:g}")
    return value


def hidden_layers(text: str) -> str:
    try:
        return ", ".join(map(str, parse_hidden(text)))
    except ValueError:
        raise Unusable("not 0 to 4 comma-separated widths of 1 to 1024") from None


def conv_blocks(text: str) -> str:
    try:
        return FIELDS["train_convs"].from_config(parse_convs(text))
    except ValueError as err:
        raise Unusable(str(err).removeprefix("Convolution blocks: ")) from None


def settings_from_url(params: dict) -> tuple:
    """({widget key: value} for the valid parameters, [a message for each one ignored])."""
    values, ignored = {}, []
    for name, text in params.items():
        if name not in PARAMS:
            continue
        key, parse, _ = PARAMS[name]
        try:
            values[key] = parse(str(text))
        except Unusable as err:
            ignored.append(f"{name}={str(text)[:40]!r} ({err})")
        except (ValueError, TypeError):
            ignored.append(f"{name}={str(text)[:40]!r} (not a number)")
    return values, ignored


def url_from_settings(values) -> dict:
    """The URL parameters for the current widget values."""
    return {name: fmt(values[key]) for name, (key, _, fmt) in PARAMS.items() if key in values}
