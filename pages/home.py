"""Home: what the app teaches, the current network, and where to go."""
import streamlit as st

from core.nn.cnn import ConvNet
from ui import charts, state
from ui.shell import require_app_shell, show_chart

require_app_shell()

st.title("Neural network from scratch")
st.markdown(
    "A neural network written in **pure NumPy**, no deep-learning library, learns to read handwritten "
    "digits from the MNIST dataset. Every number on these pages is computed live by that code: look at "
    "the data, train a network and watch its loss fall, see what its neurons learned, draw a digit and "
    "see what it thinks, and measure where it goes wrong.")

model = state.current_model()
st.subheader(f"The current network: {model.architecture}")
if isinstance(model.network, ConvNet):
    st.dataframe([{"layer": what, "output of one image": " × ".join(map(str, shape))}
                  for what, shape in model.network.layer_shapes()], hide_index=True)
    st.caption("A convolutional network: each convolution slides small kernels over the image, max-pooling keeps "
               "each 2×2 window's strongest response, and dense layers turn the maps into one probability per "
               f"digit. This model classifies **{model.test_accuracy:.2%}** of the 10,000 test images correctly.")
else:
    show_chart(charts.network_diagram(model.network.sizes, model.network.activation, model.network.output),
               key="home_diagram")
    st.caption(f"Each of the {model.network.sizes[0]} inputs is one pixel of a 28×28 image. Each hidden neuron "
               "computes a weighted sum of the layer before it plus a bias, then an activation; the last layer "
               f"gives one probability per digit. This model classifies **{model.test_accuracy:.2%}** of the "
               "10,000 test images correctly.")

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
