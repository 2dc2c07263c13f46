"""Models outside the app: what needs libraries beyond NumPy (ONNX, an HTTP API) lives here, with its own
requirements file (serving/requirements.txt); core/ stays NumPy and the standard library only."""
