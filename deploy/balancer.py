"""HAProxy in front of the app processes: its configuration, from haproxy.cfg.template, and the running balancer."""
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("haproxy.cfg.template")


def haproxy_path() -> str:
    """Where haproxy is (Debian puts it in /usr/sbin, outside a user's PATH); a clear message if it is missing."""
    found = shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")
    if found is None:
        raise SystemExit("HAProxy is not installed. On Debian or Ubuntu: `sudo apt-get install haproxy`, then run "
                         "this again.")
    return found


def config_text(bind: str, addresses: list[str], stats: str) -> str:
    """The template filled in: learners at `bind`, app processes app1, app2, ... at `addresses` (host:port),
    each named by the sticky cookie, the statistics page at `stats`."""
    servers = "\n".join(f"    server app{i} {address} cookie app{i}" for i, address in enumerate(addresses, 1))
    return Template(TEMPLATE.read_text()).substitute(bind=bind, servers=servers, stats=stats)


def check_free(host: str, port: int):
    """A clear message, before anything starts, when another program listens on host:port already."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as HAProxy binds: a closing socket is no obstacle
        try:
            probe.bind((host, port))
        except OSError as err:
            raise SystemExit(f"Cannot listen on {host}:{port} ({err.strerror}): choose another port.") from None


def start_balancer(config: Path, host: str, port: int, timeout: float = 10) -> subprocess.Popen:
    """haproxy in the foreground (-db: it stays this process's child, stopped with it), returned once it accepts
    connections on host:port."""
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "*", "") else host  # all addresses: this machine's will do
    balancer = subprocess.Popen([haproxy_path(), "-db", "-f", str(config)])
    deadline = time.monotonic() + timeout
    while balancer.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection((local, port), timeout=1).close()
            return balancer
        except OSError:
            time.sleep(0.05)
    balancer.kill()
    balancer.wait()
    raise SystemExit(f"HAProxy did not start with {config} (its message is above).")
