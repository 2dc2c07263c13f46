"""`python -m deploy --processes N`: N processes of the app on this machine behind HAProxy, at one address.

Each learner sticks to one process (a cookie names it); when a process dies, HAProxy's health checks (every
second) notice, and its learners' tabs reconnect to a live one, where the Train page tells them a training was
lost and keeps their settings (they are in the page's address). The processes share one cookie secret and,
through a directory of lock files, the machine's cores for trainings (jobs.slots).

`--servers host:port,...` balances app processes already running elsewhere (several machines) instead.
Ctrl-C or SIGTERM stops HAProxy and every process this command started.
"""
import argparse
import os
import secrets
import signal
import socket
import sys
import tempfile
from pathlib import Path

from deploy.balancer import check_free, config_text, start_balancer
from deploy.servers import free_port, launch, stop_server, wait_until_healthy
from jobs.slots import SLOTS_DIR_ENV

COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"  # Streamlit's server.cookieSecret, from the environment


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy", description="Several processes of the app behind HAProxy, "
                                     "at one address; Ctrl-C stops them all.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--processes", type=int, default=2, help="app processes to start here (about one per core)")
    where.add_argument("--servers", help="host:port,host:port,... of app processes already running elsewhere")
    parser.add_argument("--port", type=int, default=8500, help="the port learners open (default 8500)")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on; 0.0.0.0 for a class on the network")
    parser.add_argument("--stats-port", type=int, default=8404, help="HAProxy's statistics page, on 127.0.0.1")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes needs at least 1")
    if not (0 < args.port < 65536 and 0 < args.stats_port < 65536):
        parser.error("ports lie between 1 and 65535")
    addresses = args.servers.split(",") if args.servers else []
    if not all(a.rpartition(":")[0] and a.rpartition(":")[2].isdigit() for a in addresses):
        parser.error(f"--servers takes host:port,host:port,...; not {args.servers!r}")
    args.addresses = addresses
    return args


def launch_apps(count: int, run_dir: Path) -> list:
    """`count` app processes on free ports of 127.0.0.1, sharing one cookie secret and the machine's training
    slots; [(process, port)], not yet answering."""
    env = {COOKIE_SECRET_ENV: os.environ.get(COOKIE_SECRET_ENV) or secrets.token_hex(32),
           SLOTS_DIR_ENV: str(run_dir / "training-slots")}
    apps = []
    for i in range(1, count + 1):
        port = free_port()
        with open(run_dir / f"app{i}.log", "w") as log:
            apps.append((launch(port, log, env=env), port))
    return apps


def main(argv=None) -> int:
    args = parse(argv)
    check_free(args.host, args.port)
    check_free("127.0.0.1", args.stats_port)
    run_dir = Path(tempfile.mkdtemp(prefix="nn-deploy-"))  # the configuration and the logs, kept afterwards
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # leave through the `finally` below ...
    signal.signal(signal.SIGINT, signal.default_int_handler)  # ... as Ctrl-C does (even when started in the background)
    apps, balancer = [], None
    try:
        apps = [] if args.addresses else launch_apps(args.processes, run_dir)
        for i, (process, port) in enumerate(apps, 1):
            wait_until_healthy(process, f"http://127.0.0.1:{port}")
            print(f"app{i}: 127.0.0.1:{port}, process {process.pid}, log {run_dir}/app{i}.log", flush=True)
        config = run_dir / "haproxy.cfg"
        config.write_text(config_text(f"{args.host}:{args.port}", args.addresses or
                                      [f"127.0.0.1:{port}" for _, port in apps], f"127.0.0.1:{args.stats_port}"))
        balancer = start_balancer(config, args.host, args.port)
        host = socket.gethostname() if args.host in ("0.0.0.0", "::") else args.host
        count = len(args.addresses or apps)
        print(f"Open http://{host}:{args.port}/ ({count} app process{'es' if count > 1 else ''} behind HAProxy; "
              f"its statistics at http://127.0.0.1:{args.stats_port}/ ; configuration {config}). "
              "Ctrl-C stops everything.", flush=True)
        return balancer.wait()
    except KeyboardInterrupt:
        return 130
    except RuntimeError as err:  # an app process that did not start
        raise SystemExit(f"{err} in {run_dir}") from None
    finally:
        for process in ([balancer] if balancer else []) + [process for process, _ in apps]:
            stop_server(process)


if __name__ == "__main__":
    sys.exit(main())
