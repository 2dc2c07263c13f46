"""Any model of the app as an ONNX graph, for ONNX Runtime and every other ONNX tool:
`python -m serving.export MODEL.npz OUT.onnx`.

Every graph reads what every consumer feeds it, `pixels` (N, 784) float32 in [0, 1], one row per 28×28 image,
and gives `probabilities` (N, 10), what core's predict_proba gives. The graph follows core's own layers: a dense
layer is MatMul + Add (Z = A W + b), an activation its ONNX operator. A ConvNet's rows become images (N, 28, 28, 1),
channels last as core reads them; ONNX's Conv and MaxPool want channels first, so the images are transposed to
(N, 1, 28, 28) and each kernel from core's HWIO to ONNX's OIHW, and the maps are transposed back to channels last
before flattening, so the flattened rows are in core's order and the dense weights apply unchanged.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from core.data import DATASETS, DataError, load_dataset, to_inputs
from core.io import ModelFileError, load_model
from core.nn.activations import LEAKY_SLOPE
from core.nn.cnn import ConvNet
from core.nn.conv import Conv2D, Flatten, MaxPool2D, padding_widths
from core.nn.layers import Activation, Dense
from core.nn.shapes import CLASSES, INPUTS, SIDE

OPSET, IR_VERSION = 17, 8  # ONNX opset 17 (2022) belongs to IR version 8: runtimes from 1.13 on read it
INPUT, OUTPUT = "pixels", "probabilities"
ACTIVATION_OPERATORS = {  # core.nn.activations.ACTIVATIONS as ONNX operators: (operator, attributes)
    "relu": ("Relu", {}),
    "leaky_relu": ("LeakyRelu", {"alpha": LEAKY_SLOPE}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
}
OUTPUT_OPERATORS = {"softmax": ("Softmax", {"axis": -1}), "sigmoid": ("Sigmoid", {})}  # core.nn.losses.OUTPUTS
NHWC_TO_NCHW, NCHW_TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]
CHECK_IMAGES = 1000  # test images the command line runs through ONNX Runtime and core to compare


class Graph:
    """The nodes and constant arrays (initialisers) of a graph, in order; each step returns its output's name."""

    def __init__(self):
        self.nodes, self.initializers, self.count = [], [], {}

    def constant(self, name: str, array) -> str:
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, operator: str, inputs: list, output: str | None = None, **attributes) -> str:
        """One operator; its output is named after it and numbered (relu1, relu2, ...) unless named."""
        self.count[operator] = self.count.get(operator, 0) + 1
        output = output or f"{operator.lower()}{self.count[operator]}"
        self.nodes.append(helper.make_node(operator, inputs, [output], name=output, **attributes))
        return output


def dense(graph: Graph, A: str, W, b, l: int) -> str:
    """Z = A W + b.  (N, n_in) -> (N, n_out); float32 whatever the model's dtype, as ONNX Runtime is fed."""
    product = graph.node("MatMul", [A, graph.constant(f"W{l}", W.astype(np.float32))])
    return graph.node("Add", [product, graph.constant(f"b{l}", b.astype(np.float32))])


def convolution(graph: Graph, A: str, layer: Conv2D, l: int) -> str:
    """Core's kernel K (kh, kw, C, F) as ONNX's (F, C, kh, kw); zeros padded as core pads them ('same' puts the
    odd one after).  (N, C, H, W) -> (N, F, Ho, Wo)"""
    K, b = layer.params["K"], layer.params["b"]
    (top, bottom), (left, right) = padding_widths(K.shape[0], layer.padding), padding_widths(K.shape[1], layer.padding)
    kernel = graph.constant(f"K{l}", K.transpose(3, 2, 0, 1).astype(np.float32))
    return graph.node("Conv", [A, kernel, graph.constant(f"b{l}", b.astype(np.float32))],
                      kernel_shape=list(K.shape[:2]), pads=[top, left, bottom, right], strides=[1, 1])


def activation(graph: Graph, A: str, name: str) -> str:
    """A = f(Z) with core's activation `name` (LeakyRelu with core's slope)."""
    operator, attributes = ACTIVATION_OPERATORS[name]
    return graph.node(operator, [A], **attributes)


def dense_nodes(graph: Graph, network) -> str:
    """A_l = f(A_{l-1} W_l + b_l) for every hidden layer, then the last layer's logits.  (N, 784) -> (N, 10)"""
    A, last = INPUT, len(network.weights)
    for l, (W, b) in enumerate(zip(network.weights, network.biases), start=1):
        Z = dense(graph, A, W, b, l)
        A = Z if l == last else activation(graph, Z, network.activation)
    return A


def convnet_nodes(graph: Graph, network: ConvNet) -> str:
    """Core's layers one by one, after the rows are made images.  (N, 784) -> (N, 10)"""
    shape = graph.constant("image_shape", np.array([-1, SIDE, SIDE, 1], np.int64))
    A = graph.node("Transpose", [graph.node("Reshape", [INPUT, shape])], perm=NHWC_TO_NCHW)  # (N, 1, 28, 28)
    number = {id(layer): l for layer, l in network.numbered()}  # K1, b1, ..., W4, b4 as core names them
    for layer in network.layers:
        if isinstance(layer, Conv2D):
            A = convolution(graph, A, layer, number[id(layer)])
        elif isinstance(layer, Activation):
            A = activation(graph, A, layer.name)
        elif isinstance(layer, MaxPool2D):  # floor: an odd last row or column is dropped, as in core
            A = graph.node("MaxPool", [A], kernel_shape=[2, 2], strides=[2, 2])
        elif isinstance(layer, Flatten):  # back to channels last first: core flattens each image's (H, W, C)
            A = graph.node("Flatten", [graph.node("Transpose", [A], perm=NCHW_TO_NHWC)], axis=1)
        elif isinstance(layer, Dense):
            A = dense(graph, A, layer.params["W"], layer.params["b"], number[id(layer)])
        else:
            raise TypeError(f"no ONNX form for the layer {layer.describe()}")
    return A


def metadata(network, meta: dict, name: str) -> dict:
    """What a consumer needs to know besides the graph, as ONNX's string key-value metadata."""
    dataset = DATASETS[meta.get("dataset", "mnist")]
    accuracy = meta.get("test_accuracy")
    return {"name": name, "dataset": dataset.name, "classes": json.dumps(list(dataset.classes)),
            "test_accuracy": "" if accuracy is None else f"{accuracy:.4f}", "architecture": network.architecture,
            "activation": network.activation, "output": network.output,
            "input": f"{INPUT}: (N, {INPUTS}) float32, 28×28 pixels row by row in [0, 1], light ink on black"}


def onnx_model(network, meta: dict, name: str) -> onnx.ModelProto:
    """The network (core's Network or ConvNet) as a checked ONNX model: pixels (N, 784) -> probabilities (N, 10)."""
    graph = Graph()
    logits = convnet_nodes(graph, network) if isinstance(network, ConvNet) else dense_nodes(graph, network)
    operator, attributes = OUTPUT_OPERATORS[network.output]
    graph.node(operator, [logits], OUTPUT, **attributes)
    model = helper.make_model(
        helper.make_graph(graph.nodes, name.replace(" ", "-") or "model",
                          [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["N", INPUTS])],
                          [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", CLASSES])],
                          graph.initializers),
        opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
        producer_name="neural-network-from-scratch", doc_string=f"{name}: {network.architecture}")
    helper.set_model_props(model, metadata(network, meta, name))
    onnx.checker.check_model(model, full_check=True)  # operators, attributes and every tensor's shape
    return model


def onnx_file(model_file: bytes, name: str) -> bytes:
    """A model file (.npz bytes) as an .onnx file, for a download button."""
    network, meta = load_model(model_file)
    return onnx_model(network, meta, name).SerializeToString()


def runtime_check(model: onnx.ModelProto, network, dataset: str) -> str:
    """Run the first test images through ONNX Runtime and core: how many predictions agree, the largest |Δp|."""
    import onnxruntime  # serving/requirements.txt; the app itself exports without it
    images, _ = load_dataset(dataset, "test")
    X = to_inputs(images[:CHECK_IMAGES])
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    P_onnx, P_core = session.run([OUTPUT], {INPUT: X})[0], network.predict_proba(X)
    agree = int(np.sum(P_onnx.argmax(axis=1) == P_core.argmax(axis=1)))
    return (f"check: ONNX Runtime {onnxruntime.__version__} gives core's prediction for {agree:,} of {len(X):,} "
            f"{dataset} test images, largest probability difference {np.abs(P_onnx - P_core).max():.1e}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m serving.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path, help="a model file (.npz) saved by the app or python -m core.train")
    parser.add_argument("out", type=Path, help="the ONNX file to write, e.g. model.onnx")
    args = parser.parse_args(argv)
    try:
        network, meta = load_model(args.model)
        model = onnx_model(network, meta, args.model.stem)
        args.out.write_bytes(model.SerializeToString())
    except (ModelFileError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:,.0f} kB): {args.model.stem}, {network.architecture}, "
          f"{network.activation}, {network.output} output; ONNX opset {OPSET}, input {INPUT} (N, {INPUTS}) float32 "
          f"in [0, 1], output {OUTPUT} (N, {CLASSES})")
    try:
        print(runtime_check(model, network, meta["dataset"]))
    except (ImportError, DataError) as err:
        print(f"check: onnx.checker passes; not run in ONNX Runtime ({err})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
