"""What the browser tests and the benchmarks share: a real `streamlit run` on 127.0.0.1 (deploy.servers starts
it), Debian's headless Chromium's flags, the app's selectors, and the CPU of a process tree."""
import os
import time
from pathlib import Path

from deploy.servers import ROOT, free_port, start_server, stop_server  # noqa: F401 - the tests' and benchmarks' way in

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


def running(pid: int) -> bool:
    """Whether a process still runs (one that has ended but whose parent has not collected it does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def training_processes(server_pid: int) -> list:
    """The server's training processes (`python -m core.worker`) that are running."""
    def command(pid):
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return []
    return [pid for pid in process_tree(server_pid)[1:] if b"core.worker" in command(pid) and running(pid)]


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
