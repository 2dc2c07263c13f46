"""One neuron first: the line one neuron draws through points of a plane, then a tiny network that bends it."""
import numpy as np
import streamlit as st

from core.nn.activations import ACTIVATIONS
from core.toy import TOY_DATASETS, grid, line_ends, one_neuron
from pages.sections.explain import show_code
from pages.sections.tiny_network import tiny_network
from ui import state, toy_charts
from ui.shell import require_app_shell, show_chart

require_app_shell()


def signed(value: float) -> str:
    """'+ 1.5' or '- 0.5': a term after the first one of a sum."""
    return f"{'-' if value < 0 else '+'} {abs(value):g}"


st.title("One neuron first")
st.markdown("Before 784 pixels and ten digits: **two inputs**, a point (x1, x2) of a plane, and two classes. "
            "One neuron, as in TensorFlow Playground and Hagan's *Neural Network Design* demos, then a tiny "
            "network that learns within a second, computed by the same code that learns MNIST.")

name = st.segmented_control("Data set", list(TOY_DATASETS), format_func=lambda n: TOY_DATASETS[n].title,
                            key=state.kept("toy_dataset", "xor")) or "xor"
X, y = TOY_DATASETS[name].make()
st.caption(f"{TOY_DATASETS[name].title}: {len(X)} points, {TOY_DATASETS[name].shape}; "
           "blue is class 0, orange class 1.")

st.header("One neuron draws a line")
controls, picture = st.columns([2, 3])  # side by side on a projector too: a slider moves the line in view
with controls:
    w1 = st.slider("Weight w1", -3.0, 3.0, step=0.1, key=state.kept("neuron_w1", 1.0))
    w2 = st.slider("Weight w2", -3.0, 3.0, step=0.1, key=state.kept("neuron_w2", -1.0))
    b = st.slider("Bias b", -3.0, 3.0, step=0.1, key=state.kept("neuron_b", 0.0))
    activation = st.selectbox("Activation f", list(ACTIVATIONS), key=state.kept("neuron_activation", "sigmoid"))
    st.latex(rf"z = {w1:g}\,x_1 {signed(w2)}\,x_2 {signed(b)}")
    f_name = activation.replace("_", r"\_")  # relu, leaky\_relu, ... as LaTeX writes an underscore
    st.latex(rf"a = \mathrm{{{f_name}}}(z)")

z, _ = one_neuron(X, w1, w2, b, activation)
right = int(np.sum((z > 0) == (y == 1)))  # the neuron says class 1 where z > 0, on one side of its line
axis, plane_points = grid()
middle = float(ACTIVATIONS[activation].forward(np.zeros(1))[0])  # f(0): the value of a along the line
ends = line_ends(w1, w2, b)
show_chart(toy_charts.neuron_plane(axis, one_neuron(plane_points, w1, w2, b, activation)[1], X, y, ends, middle,
                                   "The neuron's output a, and its line z = 0"), key="neuron_plane", where=picture)
with controls:
    st.metric("Points on their class's side", f"{right} of {len(X)}", f"{right / len(X):.1%}", delta_color="off",
              delta_arrow="off")
if ends is None:
    st.info("The line z = 0 does not cross this part of the plane: the neuron puts every point shown on one side.",
            icon=":material/info:")
st.markdown(f"The neuron says **class 1** where z > 0 (orange, where a is above f(0) = {middle:g}) and **class 0** "
            "where z < 0: its line **w1 x1 + w2 x2 + b = 0** splits the plane in two halves. The weights turn the "
            "line, the bias shifts it; the activation only changes how a grows away from it.")
st.markdown("**Why one line cannot learn XOR.** Class 1 sits in two opposite corners, class 0 in the other two. "
            "A line leaves two half-planes; whichever way it turns, one of the four clusters lands on the wrong "
            "side, so no neuron gets more than three clusters of four (75 %) right. Two moons need a curve as "
            "well. A second neuron draws a second line, and a neuron after them combines the halves: a network.")
with st.expander("The code: one dense neuron is the dense layer of core.nn.layers with W of shape (2, 1)",
                 icon=":material/code:"):
    show_code(one_neuron)

tiny_network(name, X, y)
