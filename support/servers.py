"""The app under load: one `streamlit run` on 127.0.0.1, or N app processes behind HAProxy (`python -m deploy`)."""
import contextlib
import os
import re
import subprocess
import sys

from deploy.servers import ROOT, free_port, start_server, stop_server, wait_until_healthy


@contextlib.contextmanager
def started(balanced: int = 0, pin: bool = False):
    """Yield (address, process id whose tree is the whole app, the address of each app process) and stop it all
    after. `balanced`: that many app processes behind HAProxy, else one. `pin`: the app on core 0, the caller on the other cores (the app's
    processes inherit core 0 from the caller at their start)."""
    cores = os.sched_getaffinity(0)
    if pin:
        os.sched_setaffinity(0, {min(cores)})
    port = free_port()
    process = start_server(port) if not balanced else subprocess.Popen(
        [sys.executable, "-m", "deploy", "--processes", str(balanced), "--port", str(port),
         "--stats-port", str(free_port())], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if pin:
        os.sched_setaffinity(0, cores - {min(cores)})
    url = f"http://127.0.0.1:{port}"
    try:
        apps = [url] if not balanced else app_addresses(process, balanced)
        wait_until_healthy(process, url, timeout=90)
        yield url, process.pid, apps
    finally:
        stop_server(process)
        os.sched_setaffinity(0, cores)


def app_addresses(deployment, count: int) -> list:
    """The address of each app process, as `python -m deploy` prints them ("app1: 127.0.0.1:PORT, ...")."""
    apps = []
    while len(apps) < count:
        line = deployment.stdout.readline()
        if not line:
            raise RuntimeError("python -m deploy ended before its app processes answered")
        apps += [f"http://{address}" for address in re.findall(r"^app\d+: (\S+?),", line)]
    return apps
