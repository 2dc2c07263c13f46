"""Evaluate: how good the current model is, and where it goes wrong."""
import io

import numpy as np
import pandas as pd
import streamlit as st

from core.data import DataError, load_kaggle_csv, to_inputs
from core.nn.cnn import ConvNet
from core.evaluate import (DIRECTIONS, SHIFT_IMAGES, SHIFTS, confident_mistakes, confusion_matrix, per_class_scores,
                           shift_images)
from ui import charts, state
from ui.images import digit_grid
from ui.resources import shipped_cnn
from ui.shell import require_app_shell, show_chart
from ui.training import own_data_note

require_app_shell()

GALLERY = 30
CELL_IMAGES = 40
CSV_ROWS = 10_000  # parsing is about 0.2 ms an image: a bigger file would hold up the shared server

model = state.current_model()
data = model.data                  # the test set of the dataset it learned from
classes = data.info.classes
predicted, confidence = model.results.predicted, model.results.confidence
C = confusion_matrix(data.test_labels, predicted)


def show_digits(indices, where, columns: int):
    """Test images, each with its caption: index, true → predicted class, and how sure the model was."""
    where.html(digit_grid(data.test_images[indices] / 255, [f"#{i}: {classes[data.test_labels[i]]} → "
                                                             f"{classes[predicted[i]]}, {confidence[i]:.0%}"
                                                             for i in indices], columns))

st.title("Evaluate the current model")
if model.upload:
    st.info(own_data_note(model), icon=":material/upload_file:")
if data.name != "mnist":
    st.info(f"**{model.name}** reads {data.info.items} ({data.info.title}): everything below is measured on its "
            f"10,000 test images. Classes: {', '.join(f'{k} {c}' for k, c in enumerate(classes))}.",
            icon=":material/checkroom:")
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
                + (f" (first {CELL_IMAGES})" if len(cell) > CELL_IMAGES else ""))
    if len(cell):
        show_digits(cell[:CELL_IMAGES], st.container(key="cell_images", height=460 if len(cell) > 12 else "content"), 4)
        st.caption("Each caption: test image number, true digit → what the model said, how sure it was.")

st.subheader("The most confident mistakes")
show_digits(confident_mistakes(predicted, confidence, data.test_labels, GALLERY), st.container(key="mistakes"), 10)

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
st.markdown(f"{data.info.title}'s images are centred. Move them a few pixels and a dense network, which gives every pixel its "
            "own weight, sees mostly pixels it never learned about; a convolutional network slides the same "
            "filters everywhere and pooling forgives small moves. Each point is the accuracy on the first "
            f"{SHIFT_IMAGES:,} test digits moved right, left, down and up (the mean of the four).")
models = {key: m for key, m in state.all_models().items() if m.data.name == data.name}  # of the same dataset
dense = [key for key, m in models.items() if not isinstance(m.network, ConvNet)]
convolutional = [key for key, m in models.items() if isinstance(m.network, ConvNet)]
if not dense or not convolutional:
    st.info("This needs a dense and a convolutional model: train one with a preset such as **lenet** on the Train "
            "page.", icon=":material/info:")
else:
    dense_col, conv_col = st.columns(2)
    default_cnn = model if model.key in convolutional else shipped_cnn(data.name)
    chosen = [
        dense_col.selectbox("Dense network", dense, format_func=lambda k: models[k].label,
                            index=dense.index(model.key) if model.key in dense else 0, key=f"shift_dense_{model.key}"),
        conv_col.selectbox("Convolutional network", convolutional, format_func=lambda k: models[k].label,
                           index=convolutional.index(default_cnn.key) if default_cnn else 0,
                           key=f"shift_conv_{model.key}")]
    curves = {models[key].label: models[key].shift_accuracies for key in chosen}
    show_chart(charts.shift_curves(SHIFTS, curves), key="shift_curves")
    (dense_name, dense_acc), (conv_name, conv_acc) = curves.items()
    st.caption(f"At 4 pixels: {dense_acc[4]:.1%} for the dense network, {conv_acc[4]:.1%} for the convolutional one "
               f"(unshifted: {dense_acc[0]:.1%} and {conv_acc[0]:.1%}).")
    subset = [int(np.sum(models[key].results.predicted[:SHIFT_IMAGES] == data.test_labels[:SHIFT_IMAGES]))
              for key in chosen]
    whole = [models[key].test_accuracy for key in chosen]
    everything = len(SHIFTS) * len(DIRECTIONS) * len(data.test_labels)
    st.markdown(f"Why is the unshifted point not the test accuracy? It counts only the first {SHIFT_IMAGES:,} test "
                f"digits (all {len(data.test_labels):,}, moved {len(DIRECTIONS)} ways by {len(SHIFTS)} distances, "
                f"would be {everything:,} predictions): the dense network reads {subset[0]:,} of them right "
                f"({subset[0] / SHIFT_IMAGES:.1%}) against {whole[0]:.2%} of all {len(data.test_labels):,}, the "
                f"convolutional one {subset[1]:,} ({subset[1] / SHIFT_IMAGES:.1%}) against {whole[1]:.2%}. The same "
                f"model on a smaller sample, where each mistake weighs {1 / SHIFT_IMAGES:.1%}.")
    moved = np.stack([shift_images(data.test_images[:1], 0, s)[0] for s in SHIFTS])
    guesses = [models[key].network.predict(to_inputs(moved)) for key in chosen]
    st.markdown(f"**The first test image (a {classes[data.test_labels[0]]}) moved right by 0 to {SHIFTS[-1]} "
                "pixels**, and what each network says:")
    st.container(key="shift_examples").html(digit_grid(
        moved / 255, [f"{s} px: dense {classes[guesses[0][s]]}, conv {classes[guesses[1][s]]}" for s in SHIFTS],
        len(SHIFTS), 700))
