"""Dataset explorer: what the network learns from, image by image and in aggregate."""
import numpy as np
import pandas as pd
import streamlit as st

from core.data import DATASETS
from core.evaluate import confident_mistakes
from core.nn.shapes import INPUTS, SIDE, as_images
from ui import charts, state, tiles
from ui.images import digit_grid
from ui.resources import shipped_models, split_arrays, split_summary
from ui.shell import require_app_shell, show_chart

require_app_shell()

EXAMPLES = 20
AMBIGUOUS = 30

name = st.segmented_control("Dataset", list(DATASETS), format_func=lambda n: DATASETS[n].title,
                            key=state.kept("explore_dataset", state.current_model().meta["dataset"])) or "mnist"
info = DATASETS[name]
st.title(f"The {info.title} dataset")
st.markdown(f"70,000 {info.items}, 28×28 pixels with grey levels from 0 (black) to 255 (white): "
            "60,000 to learn from and 10,000 kept apart to test on."
            + ("" if name == "mnist" else f" Ten classes: {', '.join(f'{k} {c}' for k, c in enumerate(info.classes))}."))

split = st.segmented_control("Images from", ["train", "test"], key=state.kept("explore_split", "train"),
                             format_func={"train": "Training set (60,000)", "test": "Test set (10,000)"}.get)
split = split or "train"
images, labels = split_arrays(split, name)
summary = split_summary(split, name)

st.subheader(f"{EXAMPLES} examples of every class" if name != "mnist" else f"{EXAMPLES} examples of every digit")
seed = st.session_state.setdefault(state.EXAMPLES_SEED, 0)
if st.button("Show other examples", icon=":material/shuffle:"):
    seed = st.session_state[state.EXAMPLES_SEED] = seed + 1
rng = np.random.default_rng(seed)
picked = np.concatenate([rng.choice(np.flatnonzero(labels == k), EXAMPLES, replace=False) for k in range(10)])
st.container(key="examples").html(digit_grid(images[picked] / 255, [f"#{i}" for i in picked], EXAMPLES, 1400))
st.caption(f"Each row: one class's examples ({', '.join(info.classes)}, top to bottom), with their image numbers "
           "(look one up below).")

counts_col, means_col = st.columns([2, 3])
with counts_col:
    st.subheader("How many of each")
    table = pd.DataFrame({info.item: info.classes, "images": summary.counts,
                          "share": [f"{c / summary.counts.sum():.1%}" for c in summary.counts]})
    st.dataframe(table, hide_index=True, width="stretch", height="content")  # all ten rows, any font size
with means_col:
    st.subheader(f"The mean image of each {info.item}" if name == "mnist" else "The mean image of each class")
    show_chart(tiles.mosaic(summary.means / 255, 5, [f"mean of all: {c}" for c in info.classes], width=480),
               key="means")
    st.caption("Averaging thousands of images of one class leaves a blurred template of it: "
               "this is roughly what a network with no hidden layer would learn to look for.")

st.subheader("Pixel grey levels")
show_chart(charts.bars(summary.pixel_counts, range(256), "How many pixels have each grey level (log scale)",
                       hover="grey level %{x}: %{y:,} pixels", log_y=True, categories=False), key="pixel_hist")
background = summary.pixel_counts[0] / summary.pixel_counts.sum()
st.caption(f"{background:.0%} of all pixels are pure black background; "
           + ("most ink pixels are near 255, with a few grey ones at the anti-aliased edges of the strokes."
              if name == "mnist" else "the clothes span every grey level, from dark fabric to bright print."))

st.subheader("One image, as the network sees it")
index = st.number_input(f"Image index (0 to {len(images) - 1:,})", 0, len(images) - 1, key=state.kept("explore_index", 0))
image_col, vector_col = st.columns([1, 2])
with image_col:
    label = f"{labels[index]}" + ("" if name == "mnist" else f" ({info.classes[labels[index]]})")
    show_chart(charts.digit(images[index], f"#{index}: label {label}", height=360, zmax=255,
                            hover="row %{y}, column %{x}<br>grey level %{z}<extra></extra>"), key="one_image")
with vector_col:
    x = images[index].reshape(-1) / 255
    st.markdown(f"The network does not see a square: it reads the **{INPUTS} numbers** row after row, each grey "
                "level divided by 255, as one vector **x**.")
    strip = charts.digit(x[None, :], None, height=110, zmax=1, square=False,
                         hover="x[%{x}] = %{z:.3f}<extra></extra>")
    show_chart(strip, key="vector_strip")
    with st.expander(f"All {INPUTS} numbers (row r, column c is x[{SIDE}·r + c])"):
        st.dataframe(pd.DataFrame(as_images(x).round(3)), width="stretch")

st.subheader("Ambiguous digits" if name == "mnist" else "Ambiguous images")
shipped = [m for m in shipped_models()[0].values() if m.meta["dataset"] == name]
best = max(shipped, key=lambda m: m.test_accuracy, default=None)
if best is None:
    st.info("No shipped model is available to judge the test images.")
else:
    test_images, test_labels = split_arrays("test", name)
    predicted, confidence = best.results.predicted, best.results.confidence
    wrong = confident_mistakes(predicted, confidence, test_labels, AMBIGUOUS)
    st.markdown(f"The {len(wrong)} test images that the best shipped model, **{best.name}** ({best.test_accuracy:.2%} "
                "of the test images right), gets wrong with the highest confidence. Some are careless writing; some "
                "labels are arguably wrong. Under each: its number, the label → what the model says, how sure it is.")
    st.container(key="ambiguous").html(digit_grid(
        test_images[wrong] / 255, [f"#{i}: {info.classes[test_labels[i]]} → {info.classes[predicted[i]]}, "
                                   f"{confidence[i]:.0%}" for i in wrong], 10))
