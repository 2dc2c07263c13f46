"""The standalone predictor as one download: predict.py (NumPy only) and the model file beside it, in a .zip."""
import io
import zipfile
from pathlib import Path

PREDICTOR = Path(__file__).with_name("standalone_predict.py")  # travels as predict.py
MODEL_NAME = "model.npz"  # where predict.py looks for its model by default


def predictor_zip(model_file: bytes, name: str) -> bytes:
    """A .zip holding the folder `name`/ with predict.py and model.npz: unzip, then `python predict.py digit.png`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}/predict.py", PREDICTOR.read_text())
        archive.writestr(f"{name}/{MODEL_NAME}", model_file)
    return buffer.getvalue()
