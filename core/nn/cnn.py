"""A convolutional network: a list of layers that share one protocol, trained by the same loop as the dense network.

Every layer (core.nn.conv: Conv2D, MaxPool2D, Flatten; core.nn.layers: Dense, Activation) has `params` (a dict
of arrays, empty for layers without any), `forward(A) -> (out, cache)` and
`backward(dOut, cache, need_dX) -> (dA, grads)`. The input X (N, 784) is seen as images
(N, 28, 28, 1); each block Conv2D -> activation -> MaxPool2D halves their size; Flatten turns the
maps into rows for the dense layers, and softmax (or sigmoid) turns the last layer's logits into P.
"""
from dataclasses import dataclass

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.conv import Conv2D, Flatten, MaxPool2D, output_size
from core.nn.layers import Activation, Dense
from core.nn.losses import OUTPUTS
from core.nn.network import Classifier, check_names, init_weights
from core.nn.shapes import CLASSES, IMAGE



@dataclass
class ConvForward:
    """What the forward pass computed: As[0] the input images, As[i + 1] the output of layer i, P the output."""
    As: list
    caches: list
    P: np.ndarray

    @property
    def logits(self):
        """Z (N, 10), the last dense layer's scores before softmax."""
        return self.As[-1]


@dataclass
class ConvNet(Classifier):
    """convs: ((filters, kernel, padding), ...), each a Conv2D + activation + 2×2 max-pool; hidden: dense sizes."""
    convs: tuple
    hidden: tuple
    layers: list
    activation: str = "relu"
    output: str = "softmax"
    PREDICT_BATCH = 250  # the patches of 250 images take about 60 MB (im2col copies every pixel k² times)

    @staticmethod
    def parameter_shapes(convs, hidden=()) -> dict:
        """The shape of every parameter, by name, without allocating any: K1, b1, ... then W, b of the dense layers."""
        shapes, (H, W, C) = {}, IMAGE
        for l, (filters, kernel, padding) in enumerate(convs, start=1):
            Ho, Wo = output_size(H, int(kernel), padding), output_size(W, int(kernel), padding)
            if int(filters) < 1 or int(kernel) < 1 or min(Ho, Wo) < 2:
                raise ValueError(f"a {kernel}×{kernel} convolution with {filters} filters does not fit "
                                 f"{H}×{W} maps: use at least one filter and a kernel that fits")
            shapes[f"K{l}"], shapes[f"b{l}"] = (int(kernel), int(kernel), C, int(filters)), (int(filters),)
            H, W, C = Ho // 2, Wo // 2, int(filters)   # the 2×2 max-pool halves the maps
        width = H * W * C
        for l, n_out in enumerate([*hidden, CLASSES], start=len(convs) + 1):
            if int(n_out) < 1:
                raise ValueError("every hidden layer needs at least one neuron")
            shapes[f"W{l}"], shapes[f"b{l}"] = (width, int(n_out)), (int(n_out),)
            width = int(n_out)
        return shapes

    @classmethod
    def from_arrays(cls, convs, hidden, arrays: dict, activation="relu", output="softmax") -> "ConvNet":
        """The network whose parameters are `arrays` (named as parameter_shapes names them)."""
        check_names(activation, output)
        convs, hidden = tuple(tuple(block) for block in convs), tuple(hidden)
        layers = []
        for l, (_, _, padding) in enumerate(convs, start=1):
            layers += [Conv2D(arrays[f"K{l}"], arrays[f"b{l}"], padding), Activation(activation), MaxPool2D()]
        layers.append(Flatten())
        for l in range(len(convs) + 1, len(convs) + len(hidden) + 2):
            layers += [Dense(arrays[f"W{l}"], arrays[f"b{l}"]), Activation(activation)]
        layers.pop()  # the last dense layer's logits go to the output function instead
        return cls(convs, hidden, layers, activation, output)

    @classmethod
    def create(cls, convs, hidden=(), activation="relu", output="softmax", init=None, seed=0, dtype=np.float32):
        """A new network with random weights: He, N(0, 2 / fan_in), for kernels (fan_in = k·k·C inputs per output
        value), the activation's scheme for dense layers, zero biases."""
        check_names(activation, output)
        rng, arrays = np.random.default_rng(seed), {}
        for name, shape in cls.parameter_shapes(convs, hidden).items():
            if name.startswith("b"):
                arrays[name] = np.zeros(shape, dtype)
            elif name.startswith("K"):
                arrays[name] = rng.normal(0, np.sqrt(2 / np.prod(shape[:3])), shape).astype(dtype)
            else:
                arrays[name] = init_weights(*shape, init or ACTIVATIONS[activation].init, rng, dtype)
        return cls.from_arrays(convs, hidden, arrays, activation, output)

    def numbered(self) -> list:
        """(layer, l) for each layer with parameters, l = 1, 2, ...: its arrays are named K1/b1, ..., W3/b3, ..."""
        return [(layer, l) for l, layer in enumerate((layer for layer in self.layers if layer.params), start=1)]

    def params(self) -> dict:
        return {f"{name}{l}": p for layer, l in self.numbered() for name, p in layer.params.items()}

    def weight_arrays(self) -> list:
        return [p for name, p in self.params().items() if not name.startswith("b")]

    @property
    def dtype(self):
        return self.layers[0].params["K"].dtype

    @property
    def architecture(self) -> str:
        return " → ".join(["28×28", *(layer.describe() for layer in self.layers if not isinstance(layer, Activation)),
                           f"{CLASSES} {self.output}"])

    def layer_shapes(self) -> list:
        """(what the layer is, the shape of one image's output) for every layer, in order."""
        shapes, shape = [], IMAGE
        for layer in self.layers:
            shape = layer.output_shape(shape)
            shapes.append((layer.describe(), shape))
        return shapes

    def copy(self, dtype=None) -> "ConvNet":
        """An independent copy, optionally in another dtype (float64 for gradient checks)."""
        dtype = dtype or self.dtype
        arrays = {name: p.astype(dtype, copy=True) for name, p in self.params().items()}
        return ConvNet.from_arrays(self.convs, self.hidden, arrays, self.activation, self.output)

    def forward(self, X, dropout: float = 0.0, rng=None, masks=None) -> ConvForward:
        """X (N, 784) as images (N, 28, 28, 1) through every layer, keeping each output; P (N, 10)."""
        if dropout or masks:
            raise ValueError("dropout is available for dense networks only; convolution and pooling regularise here")
        A = X.astype(self.dtype, copy=False).reshape(-1, *IMAGE)
        As, caches = [A], []
        for layer in self.layers:
            A, cache = layer.forward(A)
            As.append(A)
            caches.append(cache)
        return ConvForward(As, caches, OUTPUTS[self.output].activate(A))

    def backward(self, fwd: ConvForward, dZ, l2: float = 0.0, need_dX: bool = False, deltas: dict | None = None):
        """Backpropagate dL/dZ of the logits through every layer in reverse: the gradient of every parameter
        (and dL/dX (N, 784) if asked). `deltas` receives dL/d(output) of each layer, "dA1" ... "dAL" (As[i] is layer i's output)."""
        number = {id(layer): l for layer, l in self.numbered()}
        grads, dA = {}, dZ
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if deltas is not None:
                deltas[f"dA{i + 1}"] = dA  # dL/dAs[i + 1], the gradient at layer i's output
            dA, local = layer.backward(dA, fwd.caches[i], need_dX=i > 0 or need_dX)
            for name, g in local.items():
                p = layer.params[name]
                grads[f"{name}{number[id(layer)]}"] = g + l2 * p if l2 and name != "b" else g  # d/dW (l2/2)||W||² = l2 W
        return (grads, dA.reshape(len(dA), -1)) if need_dX else grads

    def feature_maps(self, x) -> list:
        """For one image x (784,): (name, maps (H, W, C)) after each convolution's activation and after each pooling."""
        fwd = self.forward(np.asarray(x).reshape(1, -1))
        maps, block = [], 0
        for i, layer in enumerate(self.layers):
            if isinstance(layer, Conv2D):
                block += 1
                maps.append((f"convolution {block} + {self.activation}", fwd.As[i + 2][0]))
            elif isinstance(layer, MaxPool2D):
                maps.append((f"max-pool {block}", fwd.As[i + 1][0]))
        return maps
