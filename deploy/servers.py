"""App processes on this machine: `streamlit run app.py` on a port of 127.0.0.1, started, awaited and stopped
(the deployment, the browser tests and the benchmarks all start them this way)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEALTH = "/_stcore/health"  # Streamlit answers 200 here once it serves pages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(port: int, log=subprocess.DEVNULL, checkout: Path = ROOT, env: dict | None = None) -> subprocess.Popen:
    """`streamlit run app.py` of a checkout on 127.0.0.1:port, with `env` added to this process's environment;
    returned at once (see wait_until_healthy)."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=checkout, env={**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})},
        stdout=log, stderr=subprocess.STDOUT)


def wait_until_healthy(process: subprocess.Popen, url: str, timeout: float = 60):
    """Return once `url` answers its health check (a balancer's: once a process behind it does); stop the process
    and raise if it ends or takes too long."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(f"{url}{HEALTH}", timeout=2).status == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError(f"{url} did not answer in {timeout:.0f} s; see its log")
        time.sleep(0.05)  # page_times measures from here: the moment it answers


def start_server(port: int, log=subprocess.DEVNULL, checkout: Path = ROOT, env: dict | None = None) -> subprocess.Popen:
    """`streamlit run app.py` of a checkout (this one by default) on 127.0.0.1:port, returned once it answers its
    health check."""
    process = launch(port, log, checkout, env)
    wait_until_healthy(process, f"http://127.0.0.1:{port}")
    return process


def stop_server(process: subprocess.Popen):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
