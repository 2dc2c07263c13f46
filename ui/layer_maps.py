"""The lab's layer maps, computed once per model (PCA, every layer) or per model and layer (t-SNE) for everyone."""
from typing import NamedTuple

import numpy as np
import streamlit as st

from core.nn.maps import PCA, fit_pca, layer_outputs, map_layers, map_subset, neighbour_agreement

TSNE_INPUTS = 50  # t-SNE reads a layer's first 50 principal components: the usual first step, and fast for any layer


class LayerMap(NamedTuple):
    coords: np.ndarray       # (MAP_DIGITS, 2) where each digit lands
    agreement: float         # neighbour_agreement of the map
    pca: PCA | None          # the fitted PCA (None for t-SNE), to place the learner's drawing


@st.cache_resource(max_entries=8, show_spinner="Reading 2,000 test digits through every layer (PCA)…")
def pca_maps(key: str, digest: str, _net, _data) -> list:
    """Every layer's PCA map of the map digits: the same for everyone who looks at this model."""
    shown = map_subset(len(_data.X_test))
    outputs = layer_outputs(_net, _data.X_test[shown], [index for _, index in map_layers(_net)])
    maps = []
    for A in outputs:
        pca, coords = fit_pca(A)
        maps.append(LayerMap(coords, neighbour_agreement(coords, _data.test_labels[shown]), pca))
    return maps


@st.cache_resource(max_entries=16, show_spinner=False)
def tsne_map(key: str, digest: str, layer: int, _net, _data) -> LayerMap:
    """One layer's t-SNE map, once per model and layer for everyone (7-60 s on two busy cores: see
    benchmarks/lab_maps_speed.py)."""
    from sklearn.manifold import TSNE  # imported on first use: it costs the server ~150 MB of memory
    shown = map_subset(len(_data.X_test))
    A = layer_outputs(_net, _data.X_test[shown], [map_layers(_net)[layer][1]])[0]
    if A.shape[1] > TSNE_INPUTS:
        A = fit_pca(A, TSNE_INPUTS)[1]
    coords = TSNE(2, init="pca", random_state=0, n_jobs=1).fit_transform(A)   # 1 job: 2 were slower on 2 busy cores
    return LayerMap(coords, neighbour_agreement(coords, _data.test_labels[shown]), None)
