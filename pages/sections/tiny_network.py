"""One neuron first, part 2: a 2 -> h -> 2 network learns the toy data set, moment by moment."""
import streamlit as st

from core.nn.activations import ACTIVATIONS
from core.toy import LEARNING_RATE, STEPS, grid, learn, moment
from pages.sections.explain import show_code
from ui import state, toy_charts
from ui.numbers import readable
from ui.shell import show_chart, side_by_side

KEPT_LESSONS = 30  # trainings a session keeps (each a few kilobytes), the oldest dropped first
MOMENT = "toy_moment"


def settings(name: str) -> tuple:
    """The learner's choices, which also name the training they make: (data set, hidden, activation, seed)."""
    width, function, start = side_by_side(3)
    hidden = width.slider("Hidden neurons h", 2, 8, key=state.kept("toy_hidden", 4))
    activation = function.selectbox("Hidden activation", list(ACTIVATIONS), key=state.kept("toy_activation", "tanh"))
    seed = start.number_input("Starting weights (seed)", 0, 999, key=state.kept("toy_seed", 0),
                              help="Other random starting weights: a few ReLU neurons sometimes get stuck.")
    return name, hidden, activation, int(seed)


def train(X, y, chosen: tuple):
    """Train a network of these settings and keep it in the session under them; the moment shown becomes the last."""
    lessons = st.session_state.setdefault(state.TOY_LESSONS, {})
    lessons[chosen] = learn(X, y, *chosen[1:])
    while len(lessons) > KEPT_LESSONS:
        lessons.pop(next(iter(lessons)))
    st.session_state[MOMENT] = STEPS


def tiny_network(name: str, X, y):
    st.header("A tiny network: 2 → h → 2")
    st.markdown("h hidden neurons each draw a line; two softmax outputs weigh their halves into a curve. It "
                f"trains with the **Network class and Trainer of the MNIST pages**: {STEPS} steps of Adam "
                f"(learning rate {LEARNING_RATE:g}) on all {len(X)} points at once, in a fraction of a second.")
    chosen = settings(name)
    if st.button("Train", icon=":material/play_arrow:", type="primary"):
        train(X, y, chosen)
    lesson = st.session_state.get(state.TOY_LESSONS, {}).get(chosen)
    if lesson is None:
        st.info("Press **Train** to watch this network learn.", icon=":material/info:")
        return
    steps = [m.step for m in lesson.moments]
    step = st.select_slider("The network after step", steps, key=state.kept(MOMENT, STEPS))
    now = lesson.moments[steps.index(step)]
    loss, accuracy = st.columns(2)
    change = now.loss - lesson.moments[0].loss
    loss.metric("Loss", readable(now.loss), f"{change:.4g} since step 0" if step else None, delta_color="inverse")
    accuracy.metric("Points classified right", f"{now.accuracy:.1%}")

    axis, plane_points = grid()
    boundary, curve = side_by_side(2)
    show_chart(toy_charts.network_plane(axis, now.network.predict_proba(plane_points)[:, 1], X, y,
                                        f"P(class 1) after {step} steps, and where it is 1/2"),
               key="toy_boundary", where=boundary)
    show_chart(toy_charts.loss_history(lesson.losses, step), key="toy_loss", where=curve)

    st.subheader(f"Each weight's gradient after {step} steps")
    show_chart(toy_charts.gradient_table(now.gradients), key="toy_gradients")
    st.caption("∂L/∂w for every weight and bias, by backpropagation over all the points: red (positive) means "
               "the loss falls if that weight shrinks, blue that it falls if the weight grows. The next step "
               "moves each weight against its gradient (Adam scales each step by the gradient's recent size).")
    with st.expander("The code: core.toy.learn and moment, around the Network and Trainer that learn MNIST",
                     icon=":material/code:"):
        show_code(learn, moment)
        st.caption("Network.create with inputs=2 and classes=2 builds the same layers as the 784 → … → 10 networks: "
                   f"here {now.network.architecture}.")
