"""core.compare: a model file's settings in one row, and where two confusion matrices differ, worked by hand."""
import numpy as np

from core.compare import largest_differences, recorded_curve, settings_row


def test_the_cells_that_differ_most_are_mistakes_largest_first_and_right_answers_are_left_out():
    C_a = np.array([[50, 3, 1],
                    [2, 40, 9],
                    [0, 0, 60]])
    C_b = np.array([[20, 4, 1],    # the diagonal differs by 30 and 12: right answers, not mistakes, left out
                    [7, 52, 2],    # (1, 0): |2 - 7| = 5;  (1, 2): |9 - 2| = 7
                    [0, 0, 60]])   # (0, 1): |3 - 4| = 1;  the rest are equal
    assert largest_differences(C_a, C_b) == [(1, 2, 9, 2), (1, 0, 2, 7), (0, 1, 3, 4)]
    assert largest_differences(C_a, C_b, count=5) == [(1, 2, 9, 2), (1, 0, 2, 7), (0, 1, 3, 4)]  # differing cells only
    assert largest_differences(C_a, C_a) == []


def test_a_model_files_settings_become_one_row_and_missing_ones_stay_empty():
    meta = {"activation": "relu", "epochs_trained": 3, "train_seconds": 1.25,
            "config": {"optimizer": "sgd", "learning_rate": 0.1, "batch_size": None, "train_size": 1000, "l2": 0.0,
                       "dropout": 0.2, "seed": 4, "schedule": "constant", "epochs": 5}}
    row = settings_row(meta)
    assert row == {"activation": "relu", "optimiser": "sgd", "learning rate": 0.1, "schedule": "constant",
                   "batch": "all", "L2": 0.0, "dropout": 0.2, "seed": 4, "training images": "1000", "epochs": 3,
                   "training time (s)": 1.25}
    bare = settings_row({"activation": "tanh"})  # an uploaded file of an older format: no config, no curve
    assert bare["activation"] == "tanh" and bare["optimiser"] is None and bare["training time (s)"] is None
    assert recorded_curve({"activation": "tanh"}) is None
    assert recorded_curve({"history": {"epoch": [1.0], "train_loss": [0.3]}}) == {"epoch": [1.0], "train_loss": [0.3]}
