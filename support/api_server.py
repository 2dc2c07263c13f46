"""What the API's tests and its benchmark share: `python -m serving.api` on 127.0.0.1, and a small client over one
kept-alive connection (the standard library's http.client; multipart encoded here)."""
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

from support.browser import ROOT, free_port, stop_server

MODEL = ROOT / "weights" / "fast.npz"


def start_api(port: int, model=MODEL, log=subprocess.DEVNULL) -> subprocess.Popen:
    """`python -m serving.api` serving `model` on 127.0.0.1:port, returned once /health answers."""
    process = subprocess.Popen([sys.executable, "-m", "serving.api", "--model", str(model), "--host", "127.0.0.1",
                                "--port", str(port)], cwd=ROOT, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if ApiClient(port).get("/health")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError("python -m serving.api did not start; see its log")
        time.sleep(0.05)


@contextmanager
def running_api(log_name: str):
    """The API on a free port of 127.0.0.1 for the duration of a `with` (its output in test-output/log_name): the port."""
    (ROOT / "test-output").mkdir(exist_ok=True)
    port = free_port()
    with open(ROOT / "test-output" / log_name, "w") as log:
        process = start_api(port, log=log)
        try:
            yield port
        finally:
            stop_server(process)


def multipart(field: str, filename: str, mime: str, raw: bytes) -> tuple:
    """A multipart/form-data body holding one file: (body, its content type)."""
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {mime}\r\n\r\n").encode() + raw + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class ApiClient:
    """Requests to the API over one HTTP/1.1 connection, as a browser or a client library keeps one open."""

    def __init__(self, port: int, timeout: float = 60):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> tuple:
        """(status, the answer: parsed JSON, or the text of anything else)."""
        headers = {"Content-Type": content_type} if content_type else {}
        try:
            self.connection.request(method, path, body, headers)
            reply = self.connection.getresponse()
        except (http.client.HTTPException, ConnectionError):  # the server closed the kept-alive connection: reconnect
            self.connection.close()
            self.connection.request(method, path, body, headers)
            reply = self.connection.getresponse()
        raw = reply.read()
        is_json = reply.getheader("Content-Type", "").startswith("application/json")
        return reply.status, json.loads(raw) if is_json else raw.decode()

    def get(self, path: str) -> tuple:
        return self.request("GET", path)

    def post_json(self, path: str, payload) -> tuple:
        return self.request("POST", path, json.dumps(payload).encode(), "application/json")

    def post_picture(self, raw: bytes, mime: str = "image/png", field: str = "image", path: str = "/predict") -> tuple:
        return self.request("POST", path, *multipart(field, "digit", mime, raw))

    def close(self):
        self.connection.close()
