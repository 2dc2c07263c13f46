"""What the browser tests and the benchmarks share: a real `streamlit run` on 127.0.0.1, Debian's headless
Chromium's flags, the app's selectors, and the CPU of a process tree."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def process_tree(pid: int) -> list:
    """The process and all its descendants (the server's training processes are its children)."""
    tree = [pid]
    for member in tree:
        for task in Path(f"/proc/{member}/task").glob("*"):
            try:
                tree += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass  # the thread or process has just ended
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its descendants, ended ones included (they count in their parent's)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += sum(int(f) for f in fields[11:15])  # utime + stime + cutime + cstime
    return total / os.sysconf("SC_CLK_TCK")


def cpu_busy(pid: int, seconds: float = 2.0) -> float:
    """The share of one core a process and its descendants used over the next `seconds` (a training uses about 1.0)."""
    began = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - began) / seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log=subprocess.DEVNULL, checkout: Path = ROOT) -> subprocess.Popen:
    """`streamlit run app.py` of a checkout (this one by default) on 127.0.0.1:port, returned once it answers its
    health check."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=checkout, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError(f"streamlit did not start in {checkout}; see its log")
        time.sleep(0.05)  # page_times measures from here: the moment it answers


def stop_server(process: subprocess.Popen):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
CLEAR = '[data-testid=stBidiComponentIsolated] button[aria-label="Reset canvas & history"]'


def curve_reach(page) -> float:
    """The epoch of the last batch-loss point on the live loss chart (0 when it is not shown).

    The points arrive as a Plotly typed array (float32, base64) or a plain list."""
    return page.evaluate("""() => {
        const el = document.querySelector('.st-key-loss_chart .js-plotly-plot');
        let x = el && el.data ? el.data[0].x : [];
        if (x && x.bdata) {
            const bytes = Uint8Array.from(atob(x.bdata), c => c.charCodeAt(0));
            x = x.dtype === 'f4' ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
        }
        return x.length ? Number(x[x.length - 1]) : 0; }""")
