"""A class on one hosted app: N browser sessions against one `streamlit run` on 127.0.0.1.

Each session opens a shared class link to the Train page (a small preset), starts training, draws
digits while it trains, waits for its model and checks that the model is its own. Prints a table:
sessions that finished with their own model, trainings that queued, p50/p95 time for an interaction
(a rerun) while trainings run, and the server's peak memory and threads before, during and after.
Interactions are timed three ways: as a tab sees them (click to idle page), the server's part of them
(request to end of run, on the websocket), and a rerun asked every second by a client without a
browser (no renderer to wait for: the server's time alone, on cores it shares with the browsers).

    python benchmarks/load_test.py [--sessions 20]
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from support.class_play import run  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--split-cores", action="store_true",
                        help="server on core 0, browsers on the others (as if they ran on other machines)")
    parser.add_argument("--arrive-over", type=float, default=60.0,
                        help="seconds over which the sessions open the link, evenly spaced (default 60)")
    args = parser.parse_args()
    figures = run(args.sessions, args.arrive_over, args.split_cores)
    memory, threads, processes = figures["memory"], figures["threads"], figures["processes"]
    print(f"\n{figures['sessions']} sessions, arriving over {args.arrive_over:.0f} s, done in {figures['seconds']:.0f} s")
    rows = [("sessions with their own model", f"{figures['own model']} of {figures['sessions']}", "all"),
            ("sessions with errors", figures["errors"], "0"),
            ("clicks with no effect (clicked again)", figures["lost clicks"], "0"),
            ("  pages the server ran that the tab did not show", figures["pages not shown"], "0"),
            ("tab reconnections to the server", figures["reconnections"], "0"),
            ("trainings that queued behind the cap", figures["queued"], "some, with a message"),
            ("interaction p50 (s)", f"{figures['p50']:.2f}", ""),
            ("interaction p95 (s)", f"{figures['p95']:.2f}", "< 2"),
            *((f"  {kind}: p50 / p95 (s), n={n}", f"{p50:.2f} / {p95:.2f}", "")
              for kind, (p50, p95, n) in figures["by kind"].items()),
            ("  its server's part (asked -> finished): p50 / p95 (s), n={}".format(
                figures["server part"][2]), "{:.2f} / {:.2f}".format(*figures["server part"][:2]), ""),
            ("rerun from a client with no browser: p50 / p95 (s), n={}".format(
                figures["probe"][2]), "{:.2f} / {:.2f}".format(*figures["probe"][:2]), "p95 < 2"),
            ("memory MB (server + trainings, PSS) before / peak / after",
             f"{memory[0]:.0f} / {memory[1]:.0f} / {memory[2]:.0f}", "peak < 1,500"),
            ("server health check p50 / p95 (s)", "{:.3f} / {:.3f}".format(*figures["health"]), ""),
            ("machine's cores busy: mean / p95", "{:.0%} / {:.0%}".format(*figures["machine busy"]), ""),
            ("server threads before / peak / after", f"{threads[0]} / {threads[1]} / {threads[2]}", ""),
            ("training processes peak / after", f"{processes[0]} / {processes[1]}", "0 after"),
            ("server idle again after the class left (s)", f"{figures['idle after']:.1f}", "< 60"),
            ("CPU seconds: server and trainings / browsers and Playwright", "{:.0f} / {:.0f}".format(*figures["cpu"]), "")]
    for name, value, target in rows:
        print(f"{name:<58} {value!s:>20}   {target}")
    print("each session's current model at the end:", ", ".join(figures["models"]))
    for text in figures["error texts"]:
        print("error:", text)
    for text in figures["lost click logs"]:
        print("lost click:", text)


if __name__ == "__main__":
    main()
