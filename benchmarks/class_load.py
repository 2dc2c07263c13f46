"""A class at once, measured without browsers: N learners that speak Streamlit's websocket protocol
(support/learner.py), each playing one lesson (support/class_lesson.py: Home, the teacher's link to Train,
Start and watch, 5 drawings, Weights, Evaluate) against one `streamlit run` on 127.0.0.1, or against N app
processes behind HAProxy (`--balanced 2`, started by `python -m deploy`), with real browser tabs alongside.

    python -m benchmarks.class_load --learners 30 [--balanced 2] [--tabs 2] [--pin]

Prints a table and, last, `learners=N errors=E own_model=K p95_s=X p99_s=Y peak_mb=M`: p95/p99 over every
action a learner waits for (opening a page, Start, a drawing's prediction), live updates apart.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from support.class_lesson import DIGITS, WINDOW, run  # noqa: E402
from support.watch import percentile  # noqa: E402


def table(f: dict) -> list:
    """(what, figure, target) rows."""
    rows = [("learners with their own model at the end", f"{f['own model']} of {f['learners']}", "all"),
            ("errors (lost messages among them)", f"{f['errors']} ({f['lost']})", "0"),
            ("  the page that said 'Finished' showed the new model as current", f"{f['picker at once']} of "
             f"{f['learners']}", "all"),
            ("drawings answered with a prediction", f"{f['predictions']} of {f['learners'] * DIGITS}", "all"),
            ("trainings that waited for a slot, with the message", f["queued"], ""),
            ("action a learner waits for: p50 / p95 / p99 (s)", "{:.2f} / {:.2f} / {:.2f}".format(
                f["p50"], f["p95"], f["p99"]), "p95 < 1 (30), < 2 (60)")]
    rows.append((f"  p95 (s, n) of the actions asked in each {WINDOW} s of the class", ", ".join(
        f"{start}-: {percentile(t, 95):.1f} ({len(t)})" for start, t in f["by moment"].items()), ""))
    rows += [(f"  {kind}: p50 / p95 / max (s), n={len(t)}", f"{percentile(t, 50):.2f} / {percentile(t, 95):.2f} / "
              f"{max(t):.2f}", "") for kind, t in f["times"].items() if t]
    if f["spread"]:
        rows.append(("learners per app process (HAProxy's cookie)", ", ".join(
            f"{app} {n}" for app, n in sorted(f["spread"].items())), "spread"))
    tabs, memory, trainings = f["tabs"], f["memory"], f["trainings"]
    if tabs[0]:
        rows.append(("browser tabs alongside: own model, errors, click to idle p50 / p95 (s)",
                     f"{tabs[1]} of {tabs[0]}, {tabs[2]}, {tabs[3]:.2f} / {tabs[4]:.2f}", ""))
    return rows + [
        ("memory MB of the app and its trainings (PSS): before / peak / after",
         f"{memory[0]:.0f} / {memory[1]:.0f} / {memory[2]:.0f}", "peak < 1,500"),
        ("training processes: peak / after", f"{trainings[0]} / {trainings[1]}", "0 after"),
        ("app idle again after the class left (s)", f"{f['idle after']:.1f}", "< 60"),
        ("health check p50 / p95 (s)", "{:.3f} / {:.3f}".format(*f["health"]), ""),
        ("machine's cores busy, mean", f"{f['machine busy']:.0%}", ""),
        ("CPU seconds: app and trainings / this generator", "{:.0f} / {:.0f}".format(*f["cpu"]), "")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--arrive-over", type=float, default=30.0, help="seconds over which learners arrive")
    parser.add_argument("--tabs", type=int, default=2, help="real browser tabs alongside (0 for none)")
    parser.add_argument("--balanced", type=int, default=0, metavar="N",
                        help="N app processes behind HAProxy (python -m deploy) instead of one streamlit run")
    parser.add_argument("--pin", action="store_true", help="the app on core 0, this generator on the others")
    parser.add_argument("--cold", action="store_true",
                        help="the class opens app processes nobody has opened (else the teacher opens each first)")
    args = parser.parse_args()
    f = run(args.learners, args.arrive_over, args.tabs, args.balanced, args.pin, args.cold)
    where = f"{args.balanced} app processes behind HAProxy" if args.balanced else "one app process"
    where += ", cold (nobody opened it before)" if args.cold else ", opened by the teacher before the class"
    print(f"\n{args.learners} learners on {where}, arriving over {args.arrive_over:.0f} s; done in {f['seconds']:.0f} s")
    for what, figure, target in table(f):
        print(f"{what:<68} {figure!s:>24}   {target}")
    for text in f["error texts"][:10]:
        print("error:", text)
    print(f"learners={f['learners']} errors={f['errors']} own_model={f['own model']} p95_s={f['p95']:.2f} "
          f"p99_s={f['p99']:.2f} peak_mb={f['memory'][1]:.0f}")


if __name__ == "__main__":
    main()
