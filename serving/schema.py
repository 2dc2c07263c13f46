"""The prediction API's requests and answers as OpenAPI documents them (/docs).

The request bodies are read and checked by serving.inputs (for clear messages and speed); these models describe
them. The answers are validated against them before they are sent.
"""
from typing import Annotated

from pydantic import BaseModel, Field

from core.nn.shapes import SIDE
from core.preprocess import MAX_PICTURE_BYTES, MAX_PIXELS
from serving.inputs import MAX_BATCH, MAX_BODY_BYTES

Row = Annotated[list[Annotated[float, Field(ge=0, le=255)]], Field(min_length=SIDE, max_length=SIDE)]
Grid = Annotated[list[Row], Field(min_length=SIDE, max_length=SIDE,
                                  description="28 rows of 28 grey levels, 0 (black) to 255 (white)")]


class Pixels(BaseModel):
    """One image as grey levels; light ink on dark or dark on light (the preprocessing judges by the border)."""
    pixels: Grid


class PixelBatch(BaseModel):
    """Up to MAX_BATCH (1,000) images as grey levels."""
    pixels: Annotated[list[Grid], Field(min_length=1, max_length=MAX_BATCH)]


class Prediction(BaseModel):
    digit: int = Field(description="the class the network picks, 0-9 (for Fashion-MNIST, the class's index)")
    label: str = Field(description="that class's name: the digit itself, or e.g. 'Trouser'")
    probabilities: list[float] = Field(description="the probability of each of the 10 classes, in class order")
    model: str = Field(description="the model file that answered (its name without .npz)")


class BatchPrediction(BaseModel):
    digits: list[int] = Field(description="the class picked for each image, in order")
    labels: list[str]
    probabilities: list[list[float]] = Field(description="one row of 10 probabilities per image")
    model: str


class Health(BaseModel):
    status: str
    model: str
    dataset: str = Field(description="what the model learned from: mnist or fashion-mnist")
    classes: list[str]


class Problem(BaseModel):
    detail: str = Field(description="what is wrong with the request, in words")


PICTURE_FORM = {"type": "object", "required": ["image"], "properties": {"image": {
    "type": "string", "format": "binary",
    "description": f"a PNG or JPEG of one digit, at most {MAX_PICTURE_BYTES // 2**20} MB and {MAX_PIXELS:,} pixels"}}}
PREDICT_BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": PICTURE_FORM},
    "application/json": {"schema": Pixels.model_json_schema()}}}}
BATCH_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": PixelBatch.model_json_schema()}}}}
ERRORS = {
    400: {"model": Problem, "description": "An empty body or file, JSON that does not parse, a broken multipart form"},
    413: {"model": Problem, "description": f"Too big: a body over {MAX_BODY_BYTES // 2**20} MB, a picture over "
                                           f"{MAX_PICTURE_BYTES // 2**20} MB or {MAX_PIXELS:,} pixels"},
    415: {"model": Problem, "description": "Not a PNG or JPEG, or a content type other than multipart or JSON"},
    422: {"model": Problem, "description": "A missing field, pixels of the wrong shape, not numbers or outside "
                                           "0-255, or an image with nothing to read (blank, a dot, a scribble)"},
}
