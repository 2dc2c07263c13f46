"""`python -m core.train`: train a preset from the terminal, with a progress bar; the last line is test_accuracy=0.XXXX.

    python -m core.train --preset fast --out my-model.npz
    python -m core.train --preset cnn-99 --dataset fashion-mnist --epochs 2 --seed 1
"""
import argparse
import sys
import time

from core.data import DATASETS, DataError, load_dataset, to_inputs
from core.io import save_model
from core.presets import PRESETS, preset_config
from core.training import Trainer, TrainingDiverged, make_splits, train_metadata

BAR_WIDTH = 24


def preset_table() -> str:
    rows = [f"  {name:<18} {p.figure_name} {p.published:.0%}  {p.title}" for name, p in PRESETS.items()]
    return "presets:\n" + "\n".join(rows)


def progress_line(event, epochs: int) -> str:
    done = min(event.epoch / epochs, 1.0)
    bar = "#" * round(done * BAR_WIDTH)
    line = (f"\repoch {event.epoch:5.2f}/{epochs} [{bar:<{BAR_WIDTH}}] loss {event.batch_loss:.4f} "
            f"lr {event.learning_rate:.2g} {event.images_per_sec:,.0f} img/s")
    if event.kind == "epoch":
        line += f"  train acc {event.train_accuracy:.4f}  val acc {event.val_accuracy:.4f}\n"
    return line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.train", description="Train a network on MNIST or Fashion-MNIST.",
                                     epilog=preset_table(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", required=True, choices=PRESETS, metavar="NAME", help="one of the presets below")
    parser.add_argument("--dataset", choices=DATASETS, help="what it learns from (default: the preset's, mnist)")
    parser.add_argument("--epochs", type=int, help="override the preset's number of epochs")
    parser.add_argument("--seed", type=int, help="override the preset's seed (default 0)")
    parser.add_argument("--augment", action="store_true", default=None,
                        help="give each batch a random shift, rotation and stroke change (core.perturb.augment)")
    parser.add_argument("--out", help="where to save the trained model (.npz)")
    args = parser.parse_args(argv)
    config = preset_config(args.preset, dataset=args.dataset, epochs=args.epochs, seed=args.seed,
                           augment=args.augment)
    try:
        trainer = Trainer(config, make_splits(config, *load_dataset(config.dataset, "train")))
        last_draw = 0.0
        for event in trainer.run():
            if event.kind == "epoch" or time.monotonic() - last_draw > 0.1:
                sys.stderr.write(progress_line(event, config.epochs))
                last_draw = time.monotonic()
        X_test, y_test = load_dataset(config.dataset, "test")
        accuracy = trainer.network.accuracy(to_inputs(X_test), y_test)
    except (DataError, TrainingDiverged) as err:
        print(f"\nerror: {err}", file=sys.stderr)
        return 1
    sys.stderr.write(f"trained in {trainer.elapsed:.1f} s\n")
    if args.out:
        command = " ".join(["python -m core.train", *(argv if argv is not None else sys.argv[1:])])
        save_model(args.out, trainer.network, {**train_metadata(config, args.preset, accuracy, trainer),
                                               "command": command})
        sys.stderr.write(f"saved {args.out}\n")
    print(f"test_accuracy={accuracy:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
