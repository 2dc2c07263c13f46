"""The lab's experiment "Maps of the layers": 2,000 test digits as each layer sees them, squeezed to two dimensions."""
import streamlit as st

from core.nn.maps import MAP_DIGITS, MAP_SEED, NEIGHBOURS, PCA, layer_outputs, map_layers, map_subset
from core.nn.shapes import as_images
from pages.sections.explain import last_drawing
from ui import charts, state
from ui.lab_maps_charts import layer_map
from ui.layer_maps import LayerMap, pca_maps, tsne_map
from ui.numbers import percent
from ui.shell import show_chart, side_by_side

METHODS = {
    "PCA": "PCA keeps the two directions along which the layer's numbers vary most: distances on the map are real "
           "distances, squashed flat, and your drawing lands where that layer puts it.",
    "t-SNE": "t-SNE (scikit-learn) moves the points until digits that are close in the layer are close on the map: "
             "it shows clusters well, but its distances and axes mean nothing, and it cannot place a new point, so "
             "your drawing appears on the PCA map only.",
}


def show(model):
    net, data, classes = model.network, model.data, model.data.info.classes
    layers, digest = map_layers(net), model.network.digest()
    st.markdown(f"{MAP_DIGITS:,} test digits (a fixed random choice, seed {MAP_SEED}) as each layer sees them: a "
                "layer turns a digit into a list of numbers, one per neuron or per pixel of its maps, and the map "
                "squeezes that list into two so each digit becomes a point.")
    left, right = side_by_side(2)
    layer_key = state.kept("lab_maps_layer", 0)
    if st.session_state[layer_key] >= len(layers):   # kept from a model with more layers
        st.session_state[layer_key] = 0
    layer = left.selectbox("Layer", range(len(layers)), format_func=lambda i: layers[i][0], key=layer_key)
    method = right.segmented_control("Method", list(METHODS), key=state.kept("lab_maps_method", "PCA")) or "PCA"
    maps = pca_maps(model.key, digest, net, data)
    shown_map = maps[layer]
    if method == "t-SNE":
        wait = "10 s to a minute on a busy server, once per model and layer for everyone"
        with st.spinner(f"t-SNE of {layers[layer][0]}: {wait}…"):
            shown_map = tsne_map(model.key, digest, layer, net, data)
    shown = map_subset(len(data.X_test))
    drawing = last_drawing(model)
    star = maps[layer].pca.transform(layer_outputs(net, drawing[None], [layers[layer][1]])[0])[0] \
        if drawing is not None and method == "PCA" else None
    chosen = st.session_state.get(state.MAP_DIGIT)
    where, beside = side_by_side([3, 1])
    title = f"{layers[layer][0]}, {method}" + (f": {explained(shown_map.pca)}" if shown_map.pca else "")
    show_chart(layer_map(shown_map.coords, data.test_labels[shown], model.results.predicted[shown], shown, classes,
                         title, star, chosen), key="lab_maps_chart", where=where, on_select=open_clicked_digit,
               selection_mode="points")
    show_clicked(beside, data, model.results.predicted, chosen)
    st.caption(f"{METHODS[method]} Hover over a point for its number, label and the model's answer; Plotly cannot "
               "show a picture on hover, so **click a point** to see that digit beside the map. "
               + ("The **star** is your last drawing from the Draw page." if star is not None else
                  "Draw a digit on the Draw page and it appears here as a star on the PCA map."))
    st.markdown(untangling(maps, layers, shown_map))


def open_clicked_digit():
    """A click on a point shows that test digit beside the map (the star and the ring carry no number)."""
    points = [p for p in st.session_state["lab_maps_chart"].selection.points if "customdata" in p]
    if points:
        st.session_state[state.MAP_DIGIT] = int(points[0]["customdata"])


def show_clicked(where, data, predicted, chosen):
    if chosen is None:
        where.caption("Click a point of the map to see its digit here.")
        return
    label = data.info.classes[data.test_labels[chosen]]
    title = f"test digit #{chosen}<br>label {label}, predicted {data.info.classes[predicted[chosen]]}"
    show_chart(charts.digit(as_images(data.X_test[chosen]), title, height=260), key="lab_maps_digit", where=where)


def explained(pca: PCA) -> str:
    """'the 2 axes keep 10 % + 8 % of the variance'."""
    return f"the axes keep {percent(pca.explained_variance_ratio[0])} + {percent(pca.explained_variance_ratio[1])} " \
           "of the variance"


def untangling(maps, layers, shown_map: LayerMap) -> str:
    """How well this map keeps each class together, and every layer's PCA map from input to logits."""
    path = " → ".join(f"{name.split(' (')[0]} **{percent(m.agreement)}**" for (name, _), m in zip(layers, maps))
    return (f":material/hub: On this map, **{percent(shown_map.agreement)}** of each digit's {NEIGHBOURS} nearest "
            f"points share its label (about 10 % if the classes were mixed at random). The same on each layer's "
            f"PCA map, from input to logits: {path}. The higher, the more that layer has untangled the digits.")
