"""The prediction API's speed: a real `python -m serving.api` (uvicorn, one process) on 127.0.0.1, model fast.npz.

Three kinds of request, each for --seconds after a warm-up, first from one client (one request after another),
then from --clients clients at once (threads, each with its own kept-alive connection):
  json   one test digit as JSON pixels                          POST /predict
  png    one test digit as a 280x280 PNG, like the page's canvas  POST /predict (multipart)
  batch  100 test digits as JSON pixels                          POST /predict/batch
Prints requests per second, latency p50/p95 (client side: send to full answer) and digits per second, then
where a batch's time goes, timed in this process: reading the JSON, the preprocessing, the forward pass.
Bodies are encoded once before timing, so the clients' work is the HTTP exchange alone; they share the
machine's cores with the server, as a test on one machine does.

    pip install -r serving/requirements.txt
    python benchmarks/api_speed.py [--seconds 10] [--clients 4]
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads, as the server runs

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.data import load_dataset  # noqa: E402
from core.io import load_model  # noqa: E402
from core.preprocess import prepare_digit  # noqa: E402
from serving.inputs import parse_json, pixel_images  # noqa: E402
from support.api_server import MODEL, ApiClient, multipart, start_api  # noqa: E402
from support.browser import free_port, stop_server  # noqa: E402

BATCH = 100


def bodies(images: np.ndarray) -> dict:
    """{kind: (path, body, content type, digits per request)} for a few test digits each."""
    def png(digit):
        buffer = io.BytesIO()
        Image.fromarray(np.kron(digit, np.ones((10, 10), np.uint8))).save(buffer, format="PNG")  # 280x280
        return multipart("image", "digit.png", "image/png", buffer.getvalue())
    return {
        "json": [("/predict", json.dumps({"pixels": d.tolist()}).encode(), "application/json", 1) for d in images[:20]],
        "png": [("/predict", *png(d), 1) for d in images[:20]],
        "batch": [("/predict/batch", json.dumps({"pixels": images[i:i + BATCH].tolist()}).encode(),
                   "application/json", BATCH) for i in range(0, 5 * BATCH, BATCH)],
    }


def client_loop(port: int, requests: list, until: float, latencies: list):
    """Send the requests round and round until `until`, recording each one's latency in seconds."""
    client = ApiClient(port)
    k = 0
    while time.perf_counter() < until:
        path, body, content_type, _ = requests[k % len(requests)]
        began = time.perf_counter()
        status, answer = client.request("POST", path, body, content_type)
        latencies.append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}: {answer}")
        k += 1
    client.close()


def measure(port: int, requests: list, clients: int, seconds: float) -> dict:
    latencies = []
    began = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(port, requests, began + seconds, latencies))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    rate = len(latencies) / wall
    p50, p95 = np.percentile(latencies, [50, 95]) * 1000
    return {"requests": len(latencies), "per_second": rate, "p50": p50, "p95": p95,
            "digits_per_second": rate * requests[0][3]}


def batch_stages(body: bytes) -> dict:
    """Milliseconds of each stage of answering one batch body, the median of 10 runs."""
    network, _ = load_model(MODEL)
    stages = {"read the JSON": lambda: pixel_images(parse_json(body)["pixels"], batch=True)}
    images = stages["read the JSON"]()
    stages["preprocess"] = lambda: [prepare_digit(image) for image in images]
    X = np.stack([prepared.x for prepared in stages["preprocess"]()])   # (100, 784)
    stages["forward pass"] = lambda: network.predict_proba(X)
    times = {name: [] for name in stages}
    for _ in range(10):
        for name, stage in stages.items():  # interleaved, so a busy moment slows each stage alike
            began = time.perf_counter()
            stage()
            times[name].append((time.perf_counter() - began) * 1000)
    return {name: float(np.median(ms)) for name, ms in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="timed seconds per kind and client count")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients in the second round (default 4)")
    args = parser.parse_args()
    images, _ = load_dataset("mnist", "test")
    kinds = bodies(images)
    port = free_port()
    process = start_api(port)
    try:
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"{'kind':<6} {'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'digits/s':>9}")
        for kind, requests in kinds.items():
            measure(port, requests, 1, 2.0)  # warm up: first allocations, code paths, connections
            for clients in (1, args.clients):
                r = measure(port, requests, clients, args.seconds)
                print(f"{kind:<6} {clients:>7} {r['requests']:>9} {r['per_second']:>8.0f} {r['p50']:>8.2f} "
                      f"{r['p95']:>8.2f} {r['digits_per_second']:>9.0f}")
        stages = batch_stages(kinds["batch"][0][1])
        print(f"a batch of {BATCH}: " + ", ".join(f"{name} {ms:.1f} ms" for name, ms in stages.items()))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        stop_server(process)


if __name__ == "__main__":
    main()
