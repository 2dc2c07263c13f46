"""Evaluate: how good the current model is, and where it goes wrong."""
import io

import numpy as np
import pandas as pd
import streamlit as st

from core.data import DataError, load_kaggle_csv, to_inputs
from core.nn.cnn import ConvNet
from core.evaluate import confident_mistakes, confusion_matrix, per_class_scores, shift_images
from ui import charts, state
from ui.resources import SHIFT_IMAGES, SHIFTS, dataset
from ui.shell import require_app_shell, show_chart

require_app_shell()

GALLERY = 30
CSV_ROWS = 10_000  # parsing is about 0.2 ms an image: a bigger file would hold up the shared server

model = state.current_model()
data = dataset()
P = model.test_proba
predicted = P.argmax(axis=1)
C = confusion_matrix(data.test_labels, predicted)

st.title("Evaluate the current model")
right = int(np.trace(C))
st.metric("Test accuracy", f"{right / C.sum():.2%}", f"{C.sum() - right} of {C.sum():,} test images wrong",
          delta_color="off", delta_arrow="off")


def show_clicked_cell():
    """A click on a cell of the confusion matrix picks its true and predicted digit below."""
    points = st.session_state["confusion"].selection.points
    if points:
        st.session_state["eval_true"], st.session_state["eval_said"] = int(points[0]["y"]), int(points[0]["x"])


off_diagonal = C - np.diag(np.diag(C))
worst = np.unravel_index(off_diagonal.argmax(), C.shape)
true_key, said_key = state.kept("eval_true", int(worst[0])), state.kept("eval_said", int(worst[1]))
chosen = (st.session_state[true_key], st.session_state[said_key])
matrix_col, cell_col = st.columns([3, 2])
with matrix_col:
    st.subheader("Confusion matrix")
    show_chart(charts.confusion(C, chosen=chosen), key="confusion", on_select=show_clicked_cell,
               selection_mode="points")
    st.caption("Row: the true digit. Column: what the model said. The diagonal is right; everything else is a "
               "confusion, like 4s read as 9s. Click a cell to see its images.")
with cell_col:
    st.subheader("The images in one cell")
    true = st.selectbox("True digit", range(10), key=true_key)
    said = st.selectbox("Predicted as", range(10), key=said_key)
    cell = np.flatnonzero((data.test_labels == true) & (predicted == said))
    st.markdown(f"**{len(cell)}** test image{'' if len(cell) == 1 else 's'} of a **{true}** read as **{said}**"
                + (" (first 40)" if len(cell) > 40 else ""))
    if len(cell):
        shown = cell[:40]
        show_chart(charts.mosaic(data.test_images[shown] / 255, 8,
                                 [f"#{i}: {P[i, said]:.0%} sure" for i in shown], width=420),
                   key="cell_images")

st.subheader("The most confident mistakes")
wrong = confident_mistakes(P, data.test_labels, GALLERY)
show_chart(charts.mosaic(data.test_images[wrong] / 255, 10,
                         [f"#{i}: true {data.test_labels[i]}, said {predicted[i]} ({P[i].max():.0%})" for i in wrong]),
           key="mistakes")

st.subheader("Per digit")
scores = per_class_scores(C)
st.dataframe(pd.DataFrame({"digit": range(10), "precision": scores["precision"], "recall": scores["recall"],
                           "F1": scores["f1"], "test images": scores["support"]}).round(4),
             hide_index=True, width="stretch")
st.caption("Precision: of the images the model called this digit, the share that were. Recall: of the images "
           "of this digit, the share it found. F1 balances the two.")

st.subheader("Your own images: a Kaggle CSV")
st.markdown(f"Upload a file in the Kaggle *digit recognizer* layout: `label,pixel0,…,pixel783` to measure the model "
            f"on it, or `pixel0,…,pixel783` (no labels) to get its predictions. At most {CSV_ROWS:,} images per file.")
upload = st.file_uploader("A .csv file", type=["csv"], key="eval_csv")
if upload is not None:
    try:
        images, labels = load_kaggle_csv(io.TextIOWrapper(upload, encoding="utf-8", errors="replace"), max_rows=CSV_ROWS)
    except DataError as err:
        st.error(f"{upload.name} was not read: {err}", icon=":material/error:")
    else:
        P_csv = model.network.predict_proba(to_inputs(images))
        guesses = P_csv.argmax(axis=1)
        if labels is not None:
            st.metric(f"Accuracy on {upload.name}", f"{np.mean(guesses == labels):.2%}", f"{len(labels):,} images",
                      delta_color="off", delta_arrow="off")
            show_chart(charts.confusion(confusion_matrix(labels, guesses)), key="csv_confusion")
        table = pd.DataFrame({"ImageId": np.arange(1, len(guesses) + 1), "Label": guesses})
        st.dataframe(table.assign(confidence=P_csv.max(axis=1).round(3)).head(200), hide_index=True)
        st.download_button("Download the predictions (Kaggle submission format)", table.to_csv(index=False),
                           file_name="predictions.csv", icon=":material/download:")

st.header("Shifted digits: what convolution and pooling buy")
st.markdown("MNIST digits are centred. Move them a few pixels and a dense network, which gives every pixel its "
            "own weight, sees mostly pixels it never learned about; a convolutional network slides the same "
            "filters everywhere and pooling forgives small moves. Each point is the accuracy on the first "
            f"{SHIFT_IMAGES:,} test digits moved right, left, down and up (the mean of the four).")
models = state.all_models()
dense = [key for key, m in models.items() if not isinstance(m.network, ConvNet)]
convolutional = [key for key, m in models.items() if isinstance(m.network, ConvNet)]
if not dense or not convolutional:
    st.info("This needs a dense and a convolutional model: train one with a preset such as **lenet** on the Train "
            "page.", icon=":material/info:")
else:
    dense_col, conv_col = st.columns(2)
    chosen = [
        dense_col.selectbox("Dense network", dense, format_func=lambda k: models[k].label,
                            index=dense.index(model.key) if model.key in dense else 0, key=f"shift_dense_{model.key}"),
        conv_col.selectbox("Convolutional network", convolutional, format_func=lambda k: models[k].label,
                           index=convolutional.index(model.key) if model.key in convolutional else
                           convolutional.index("shipped:cnn-99") if "shipped:cnn-99" in convolutional else 0,
                           key=f"shift_conv_{model.key}")]
    with st.spinner("Shifting 28,000 digits through both networks…"):
        curves = {models[key].label: models[key].shift_accuracies for key in chosen}
    show_chart(charts.shift_curves(SHIFTS, curves), key="shift_curves")
    (dense_name, dense_acc), (conv_name, conv_acc) = curves.items()
    st.caption(f"At 4 pixels: {dense_acc[4]:.1%} for the dense network, {conv_acc[4]:.1%} for the convolutional one "
               f"(unshifted: {dense_acc[0]:.1%} and {conv_acc[0]:.1%}).")
    example = data.test_images[0]
    moved = np.stack([shift_images(example[None], 0, s)[0] for s in SHIFTS])
    guesses = [models[key].network.predict(to_inputs(moved)) for key in chosen]
    show_chart(charts.mosaic(moved / 255, len(moved), [f"moved {s} px right: dense says {guesses[0][s]}, "
                                                       f"convolutional says {guesses[1][s]}" for s in SHIFTS],
                             width=700, title="The first test digit (a 7) moved right by 0 to 6 pixels"),
               key="shift_examples")
    st.markdown(f"Their answers, from 0 to 6 pixels: dense **{' '.join(map(str, guesses[0]))}** · "
                f"convolutional **{' '.join(map(str, guesses[1]))}**")
