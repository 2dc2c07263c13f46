"""Comparing trained models: the settings a model file records, in one row, and where two confusion matrices differ.

Plain dicts and NumPy: the lab's "Compare runs" reads these, and so can a notebook.
"""
import numpy as np

SETTINGS = {  # column -> where a model file's meta["config"] records it
    "activation": "activation", "optimiser": "optimizer", "learning rate": "learning_rate",
    "schedule": "schedule", "batch": "batch_size", "L2": "l2", "dropout": "dropout", "seed": "seed",
    "training images": "train_size",
}


def settings_row(meta: dict) -> dict:
    """How a model was made, as its file records it: its epochs, training time and one value per SETTINGS column,
    None where not recorded. Batch and training images read "all" where the config's None means all of them."""
    config = meta.get("config") if isinstance(meta.get("config"), dict) else {}
    row = {column: config.get(field) for column, field in SETTINGS.items()}
    row["activation"] = row["activation"] or meta.get("activation")
    for column, field in (("batch", "batch_size"), ("training images", "train_size")):  # a count, or "all"
        row[column] = None if field not in config else "all" if config[field] is None else str(config[field])
    return {"epochs": meta.get("epochs_trained", config.get("epochs")), "training time (s)": meta.get("train_seconds"),
            **row}


def recorded_curve(meta: dict) -> dict | None:
    """The training curve a model file records: {field: one value per epoch} (core.training.HISTORY), or None."""
    history = meta.get("history")
    return history if isinstance(history, dict) and history.get("epoch") else None


def largest_differences(C_a, C_b, count: int = 3) -> list:
    """The mistakes (off-diagonal cells) whose counts differ most between two confusion matrices, largest first.

    difference[i, j] = |C_a[i, j] - C_b[i, j]|, the diagonal (right answers) left out; ties in reading order.
    Returns [(true i, predicted j, C_a[i, j], C_b[i, j])] for cells that differ at all.  C_a, C_b: (K, K)
    """
    C_a, C_b = np.asarray(C_a), np.asarray(C_b)
    difference = np.abs(C_a.astype(int) - C_b.astype(int))  # (K, K)
    np.fill_diagonal(difference, 0)
    order = np.argsort(-difference, axis=None, kind="stable")[:count]
    cells = [np.unravel_index(k, difference.shape) for k in order]
    return [(int(i), int(j), int(C_a[i, j]), int(C_b[i, j])) for i, j in cells if difference[i, j] > 0]
