"""Evaluate: how good the current model is, and where it goes wrong."""
import numpy as np
import pandas as pd
import streamlit as st

from core.evaluate import confident_mistakes, confusion_matrix, per_class_scores
from ui import charts, state
from ui.resources import dataset
from ui.shell import require_app_shell

require_app_shell()

GALLERY = 30

model = state.current_model()
data = dataset()
P = model.test_proba
predicted = P.argmax(axis=1)
C = confusion_matrix(data.test_labels, predicted)

st.title("Evaluate the current model")
right = int(np.trace(C))
st.metric("Test accuracy", f"{right / C.sum():.2%}", f"{C.sum() - right} of {C.sum():,} test images wrong",
          delta_color="off", delta_arrow="off")

matrix_col, cell_col = st.columns([3, 2])
with matrix_col:
    st.subheader("Confusion matrix")
    st.plotly_chart(charts.confusion(C), key="confusion")
    st.caption("Row: the true digit. Column: what the model said. The diagonal is right; everything else is a "
               "confusion, like 4s read as 9s.")
with cell_col:
    st.subheader("The images in one cell")
    off_diagonal = C - np.diag(np.diag(C))
    worst = np.unravel_index(off_diagonal.argmax(), C.shape)
    true = st.selectbox("True digit", range(10), key=state.kept("eval_true", int(worst[0])))
    said = st.selectbox("Predicted as", range(10), key=state.kept("eval_said", int(worst[1])))
    cell = np.flatnonzero((data.test_labels == true) & (predicted == said))
    st.markdown(f"**{len(cell)}** test images of a **{true}** read as **{said}**" + (" (first 40)" if len(cell) > 40 else ""))
    if len(cell):
        shown = cell[:40]
        st.plotly_chart(charts.mosaic(data.test_images[shown] / 255, 8,
                                      [f"#{i}: {P[i, said]:.0%} sure" for i in shown], width=420),
                        key="cell_images")

st.subheader("The most confident mistakes")
wrong = confident_mistakes(P, data.test_labels, GALLERY)
st.plotly_chart(charts.mosaic(data.test_images[wrong] / 255, 10,
                              [f"#{i}: true {data.test_labels[i]}, said {predicted[i]} ({P[i].max():.0%})" for i in wrong]),
                key="mistakes")

st.subheader("Per digit")
scores = per_class_scores(C)
st.dataframe(pd.DataFrame({"digit": range(10), "precision": scores["precision"], "recall": scores["recall"],
                           "F1": scores["f1"], "test images": scores["support"]}).round(4),
             hide_index=True, width="stretch")
st.caption("Precision: of the images the model called this digit, the share that were. Recall: of the images "
           "of this digit, the share it found. F1 balances the two.")
