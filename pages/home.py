"""Home: what the app teaches, the current network, and where to go."""
import streamlit as st

from core.nn.cnn import ConvNet
from core.nn.shapes import as_images
from pages.sections.living_diagram import show_living_diagram
from ui import state
from ui.convolution import choose_image
from ui.images import png_data_url
from ui.shell import PAGES, require_app_shell, side_by_side

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
WHAT_EACH_PAGE_DOES = {
    "pages/explore.py": "the 70,000 digits the network learns from",
    "pages/one_neuron.py": "one neuron draws a line; a tiny network learns XOR, in a blink",
    "pages/train.py": "build a network and watch it learn, live",
    "pages/weights.py": "what each hidden neuron looks for",
    "pages/draw.py": "your own digit, through the network",
    "pages/how_it_works.py": "forward and backward, number by number",
    "pages/evaluate.py": "accuracy, confusions and mistakes",
    "pages/lab.py": "what happens if… you silence neurons, stress it, ask how sure it is",
    "pages/tutorials.py": "famous networks, measured here",
}
onward = [(script, title, icon) for script, title, icon in PAGES if script in WHAT_EACH_PAGE_DOES]
for column, half in zip(side_by_side(2), (onward[:(len(onward) + 1) // 2], onward[(len(onward) + 1) // 2:])):
    for script, title, icon in half:
        column.page_link(script, label=f"{title}: {WHAT_EACH_PAGE_DOES[script]}", icon=icon)
