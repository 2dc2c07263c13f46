"""The lab's "When it doesn't know": a confidence threshold below which the model declines to answer (what it
costs in coverage, what it buys in accuracy), and whether its confidence can be taken at its word (calibration)."""

import streamlit as st

from core.calibration import DEFAULT_THRESHOLD, all_logits, choose, just_below, reliability, risk_coverage, scale_temperature
from ui import state
from ui.images import digit_grid
from ui.lab_confidence_charts import accuracy_coverage, reliability_diagram
from ui.shell import show_chart, side_by_side

THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)  # the interesting end is near 1
DECLINED_SHOWN = 10


def answered_sentence(name: str, total: int, choice) -> str:
    """What the threshold does, in one sentence with the numbers."""
    if choice.coverage == 0:
        return f"At this threshold **{name}** declines every one of the {total:,} test images."
    answers = f"**{name}** answers **{choice.coverage:.1%}** of the {total:,} test images, and gets **{choice.accuracy:.1%}** " \
              "of those right"
    if choice.coverage == 1:
        return answers + "; it declines none."
    return answers + (f"; of the **{1 - choice.coverage:.1%}** it declines, it would have got "
                      f"**{choice.declined_accuracy:.0%}** right.")


def show(model):
    data = model.data
    confidence = model.results.confidence                        # (N,) the top probability of each test image
    correct = model.results.predicted == data.test_labels        # (N,) whether its pick is right
    st.markdown("The network always answers: its top probability picks a digit even for a scribble. It can instead "
                "**decline** when that probability is below a threshold. The test set shows what this costs (fewer "
                "answers) and what it buys (fewer mistakes among them). Draw & predict uses the same threshold: "
                "below it, the prediction reads *not sure*.")
    threshold = st.select_slider("Answer only when the top probability is at least", THRESHOLDS,
                                 key=state.kept(state.REJECT_THRESHOLD, DEFAULT_THRESHOLD),
                                 format_func=lambda t: f"{t * 100:g}%")
    choice = choose(confidence, correct, threshold)
    st.markdown(answered_sentence(model.name, len(correct), choice))
    curve_col, calibration_col = side_by_side(2)
    show_chart(accuracy_coverage(*risk_coverage(confidence, correct), choice), key="confidence_curve", where=curve_col)
    rel = reliability(confidence, correct)
    show_chart(reliability_diagram(rel), key="confidence_reliability", where=calibration_col)
    ece_col, mce_col = calibration_col.columns(2)
    ece_col.metric("Expected calibration error", f"{rel.ece:.2%}", help="ECE = Σ (n_m / N)·|acc_m − conf_m| over "
                   "the bins: the gap between bar and dot, weighted by the images in the bin.")
    mce_col.metric("Maximum calibration error", f"{rel.mce:.1%}", help="MCE = the largest |acc_m − conf_m| of any "
                   "bin, however few images it holds: read the counts on the bars.")
    calibration_col.caption("Calibrated means right 80 % of the time when it says 80 %. Most test images land in "
                            "the last bin; a bin of a handful of images swings far from the diagonal by chance.")
    show_temperature(model, calibration_col)
    show_declined(model, confidence, threshold)


def show_temperature(model, where):
    """Temperature scaling, on request: the one T that best calibrates softmax(z / T), and ECE before and after."""
    if model.network.output != "softmax":
        where.caption(f"Temperature scaling divides the logits before a softmax; {model.name} ends in "
                      f"{model.network.output} outputs, so it does not apply.")
        return
    if not where.toggle("Try temperature scaling", key=state.kept(state.TEMPERATURE_FIT, False)):
        return
    fit = temperature_fit(model.key, model.network.digest(), model.network, model.data)
    where.markdown(f"Fitted on the first {fit.held_out:,} test images (used here as a validation split), "
                   f"**T = {fit.temperature:.2f}** ({'softens' if fit.temperature > 1 else 'sharpens'} every answer); "
                   f"on the other {fit.held_out:,}, ECE goes from **{fit.ece_before:.2%}** to **{fit.ece_after:.2%}**. "
                   "The digits it picks, and so its accuracy, do not change: softmax(z / T) keeps the largest z largest.")


@st.cache_resource(max_entries=16, show_spinner="Reading the logits of the 10,000 test images and fitting T…")
def temperature_fit(key: str, digest: str, _net, _data):
    """The same for everyone who looks at this model: computed once per model and weights (a taught copy differs)."""
    return scale_temperature(all_logits(_net, _data.X_test), _data.test_labels)


def show_declined(model, confidence, threshold: float):
    """The test images the threshold declines by the narrowest margin: the model's nearest misses of 'sure'."""
    data, classes = model.data, model.data.info.classes
    indices = just_below(confidence, threshold, DECLINED_SHOWN)
    st.subheader("Just below the threshold")
    if indices.size == 0:
        st.info("The threshold declines none of the test images: every top probability is at least "
                f"{threshold * 100:g}%.", icon=":material/check_circle:")
        return
    predicted = model.results.predicted
    st.caption(f"The {indices.size} declined test images it was surest of: what it would have said, how sure, and "
               "what the image really is.")
    captions = [f"#{i}: says {classes[predicted[i]]} ({confidence[i]:.2%}), is {classes[data.test_labels[i]]}"
                for i in indices]
    st.container(key="confidence_declined").html(digit_grid(data.test_images[indices] / 255, captions, DECLINED_SHOWN))
