"""The prediction API: a model file's network answering over HTTP (FastAPI + uvicorn), as the 16-16 tutorial
served its network.

    pip install -r serving/requirements.txt
    python -m serving.api --model weights/fast.npz --host 127.0.0.1 --port 8000

    POST /predict        a PNG or JPEG as the multipart field "image", or JSON {"pixels": 28 rows of 28 values 0-255}
    POST /predict/batch  JSON {"pixels": a list of up to 1,000 such grids}
    GET  /health         the model's name and dataset
    GET  /               a page with a canvas: draw a digit and it asks /predict
    GET  /docs           the OpenAPI documentation (the schema at /openapi.json)

Every image goes through the Draw page's preprocessing (core.preprocess, the way the model's dataset made its
images) before the network reads it. Bad input is answered with a 4xx whose "detail" says what is wrong.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: one BLAS thread per request on a small machine

import argparse  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import APIRouter, FastAPI, Request  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402

from core.data import DATASETS  # noqa: E402
from core.io import ModelFileError, load_model  # noqa: E402
from core.preprocess import PREPARE  # noqa: E402
from serving.inputs import MAX_BODY_BYTES, BadInput, decode_picture, parse_json, pixel_images  # noqa: E402
from serving.schema import (BATCH_BODY, ERRORS, PREDICT_BODY, BatchPrediction, Health,  # noqa: E402
                            Prediction)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "weights" / "fast.npz"
PAGE = Path(__file__).with_name("static") / "index.html"
HOW = 'send a PNG or JPEG as the multipart field "image", or JSON {"pixels": [[...28 values 0-255...], ...]}'


@dataclass(frozen=True)
class Served:
    """The network of one model file, its name, and its dataset (which says how to prepare an image, the class names)."""
    network: object
    name: str
    dataset: str

    def probabilities(self, images) -> np.ndarray:
        """Images (grey or RGBA arrays of any size) -> prepared as the dataset's own images -> probabilities (N, 10)."""
        xs = []
        for i, image in enumerate(images):
            prepared = PREPARE[self.dataset](image)
            if not prepared.ok:
                where = f"Image {i}: " if len(images) > 1 else ""
                raise BadInput(422, f"{where}{prepared.message}")
            xs.append(prepared.x)                             # (784,)
        return self.network.predict_proba(np.stack(xs))      # (N, 784) -> (N, 10)

    def answer(self, kind: str, raw: bytes, batch: bool) -> dict:
        """A request's picture or JSON body -> the prediction(s) for it."""
        images = [decode_picture(raw)] if kind == "picture" else pixel_images(parse_json(raw)["pixels"], batch)
        P = self.probabilities(images)
        digits = P.argmax(axis=1)                             # (N,)
        labels = [DATASETS[self.dataset].classes[d] for d in digits]
        if batch:
            return {"digits": digits.tolist(), "labels": labels, "probabilities": P.tolist(), "model": self.name}
        return {"digit": int(digits[0]), "label": labels[0], "probabilities": P[0].tolist(), "model": self.name}


async def read_body(request: Request) -> bytes:
    """The request's body, refused (413) as soon as it is known to exceed MAX_BODY_BYTES."""
    too_big = BadInput(413, f"The request is larger than {MAX_BODY_BYTES // 2**20} MB.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_big
    return bytes(body)


async def form_picture(request: Request, body: bytes) -> bytes:
    """The bytes of the multipart field "image" of a body already read."""
    async def replay():
        return {"type": "http.request", "body": body, "more_body": False}
    async with Request(request.scope, replay).form(max_files=1, max_fields=10) as form:  # too many: a 400
        upload = form.get("image")
        if upload is None:
            raise BadInput(422, f'The form has no field "image": {HOW}.')
        if isinstance(upload, str):
            raise BadInput(422, 'The field "image" must be a file (curl -F image=@digit.png), not text.')
        return await upload.read()


async def read_request(request: Request, pictures: bool) -> tuple:
    """("picture", its bytes) or ("json", the body), after checking the content type and the size."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    accepted = ("multipart/form-data", "application/json") if pictures else ("application/json",)
    if content_type not in accepted:
        how = HOW if pictures else 'send JSON {"pixels": [grid, grid, ...]}, each grid 28 rows of 28 values 0-255'
        raise BadInput(415, f"The content type {content_type or '(none)'} is not accepted here: {how}.")
    body = await read_body(request)
    if content_type == "application/json":
        return "json", body
    return "picture", await form_picture(request, body)


router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home():
    return PAGE.read_text()


@router.get("/health", response_model=Health, summary="Is the server up, and which model answers")
async def health(request: Request):
    served = request.app.state.served
    return {"status": "ok", "model": served.name, "dataset": served.dataset,
            "classes": list(DATASETS[served.dataset].classes)}


@router.post("/predict", response_model=Prediction, responses=ERRORS, openapi_extra=PREDICT_BODY,
             summary="One image: a PNG or JPEG (multipart field image) or 28x28 pixels as JSON")
async def predict(request: Request):
    kind, raw = await read_request(request, pictures=True)
    return await run_in_threadpool(request.app.state.served.answer, kind, raw, False)  # off the event loop


@router.post("/predict/batch", response_model=BatchPrediction, responses=ERRORS, openapi_extra=BATCH_BODY,
             summary="Up to 1,000 images as JSON pixels, in one forward pass")
async def predict_batch(request: Request):
    kind, raw = await read_request(request, pictures=False)
    return await run_in_threadpool(request.app.state.served.answer, kind, raw, True)


async def refuse(request: Request, err: BadInput):
    return JSONResponse({"detail": str(err)}, status_code=err.status)


def create_app(served: Served) -> FastAPI:
    """The FastAPI application answering with one model."""
    app = FastAPI(title="Neural network from scratch: prediction API", version="1",
                  description=__doc__.split("\n\n")[0].replace("\n", " ") + " Every image goes through the Draw "
                  "page's preprocessing first. Bad input: a 4xx whose `detail` says what is wrong.",
                  exception_handlers={BadInput: refuse})
    app.state.served = served
    app.include_router(router)
    return app


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.api", description="Serve a model file's predictions "
                                     "over HTTP; the OpenAPI documentation is at /docs.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="a model file (.npz) saved by the app or "
                        "python -m core.train (default: weights/fast.npz)")
    parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    args = parser.parse_args(argv)
    try:
        network, meta = load_model(args.model)
    except ModelFileError as err:
        print(f"python -m serving.api: cannot serve {args.model}: {err}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(Served(network, args.model.stem, meta["dataset"])), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
