"""Home: what the app teaches, the current network, and where to go."""
import streamlit as st

from core.nn.cnn import ConvNet
from core.nn.shapes import as_images
from pages.sections.living_diagram import show_living_diagram
from ui import state
from ui.convolution import choose_image
from ui.images import png_data_url
from ui.shell import require_app_shell, side_by_side

require_app_shell()

st.title("Neural network from scratch")
st.markdown(
    "A neural network written in **pure NumPy**, no deep-learning library, learns to read handwritten "
    "digits from the MNIST dataset. Every number on these pages is computed live by that code: look at "
    "the data, train a network and watch its loss fall, see what its neurons learned, draw a digit and "
    "see what it thinks, and measure where it goes wrong.")

model = state.current_model()
st.subheader(f"The current network, alive: {model.architecture}")
digit_col, diagram_col = side_by_side([1, 3])
with digit_col:
    x, label = choose_image("home_digit", model.data)
    st.image(png_data_url(as_images(x), 6), caption="the digit it reads" if label is None else
             f"a test image, labelled {model.data.info.classes[label]}")
with diagram_col:
    show_living_diagram(model.network, x, "home_diagram", model.data.info.classes)
st.caption(f"This model classifies **{model.test_accuracy:.2%}** of the 10,000 test images correctly.")
if isinstance(model.network, ConvNet):
    with st.expander("The shape of every layer's output", icon=":material/view_in_ar:"):
        st.dataframe([{"layer": what, "output of one image": " × ".join(map(str, shape))}
                      for what, shape in model.network.layer_shapes()], hide_index=True)

st.subheader("Where to go")
left, right = st.columns(2)
with left:
    st.page_link("pages/explore.py", label="Dataset explorer: the 70,000 digits the network learns from",
                 icon=":material/grid_view:")
    st.page_link("pages/train.py", label="Train: build a network and watch it learn, live", icon=":material/model_training:")
    st.page_link("pages/weights.py", label="Weights: what each hidden neuron looks for", icon=":material/blur_on:")
with right:
    st.page_link("pages/draw.py", label="Draw & predict: your own digit, through the network", icon=":material/draw:")
    st.page_link("pages/how_it_works.py", label="How it works: forward and backward, number by number",
                 icon=":material/function:")
    st.page_link("pages/evaluate.py", label="Evaluate: accuracy, confusions and mistakes", icon=":material/fact_check:")
    st.page_link("pages/tutorials.py", label="Tutorials, reproduced: famous networks, measured here",
                 icon=":material/school:")
