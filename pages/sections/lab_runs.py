"""The lab's "Compare runs": every model the learner can pick in one table, their recorded curves overlaid, and two
models' confusion matrices side by side."""
import pandas as pd
import streamlit as st

from core.compare import largest_differences, recorded_curve, settings_row
from core.evaluate import confusion_matrix
from ui import charts, state
from ui.lab_runs_charts import overlaid_curves
from ui.resources import shipped_models
from ui.shell import show_chart, side_by_side


def origin(key: str) -> str:
    """Where a model comes from, by the prefix of its key (ui.training, ui.sidebar, ui.teaching)."""
    return {"shipped": "shipped", "trained": "this session", "uploaded": "uploaded"}.get(key.split(":")[0],
                                                                                        "this session")


def learned_from(model) -> str:
    """Its dataset's name; for the learner's own data, the file and the test set the pages measure it on."""
    title = model.data.info.title
    return f"{model.upload['file']} (tested on {title})" if model.upload else title


def table(models: dict) -> pd.DataFrame:
    """One row per model: its name, where it comes from, its settings, training time and test accuracy."""
    rows = [{"model": m.name, "from": origin(key), "test accuracy": round(m.test_accuracy, 4),
             "architecture": m.architecture, "dataset": learned_from(m), **settings_row(m.meta)}
            for key, m in models.items()]
    return pd.DataFrame(rows)


def default_choice(models: dict, current) -> list:
    """The session's latest runs (up to three), else the current model and the next one in the table."""
    session = [key for key in models if key in state.session_models()][-3:]
    if len(session) >= 2:
        return session
    return [key for key in dict.fromkeys([*session, current.key, *models]) if key in models][:2]


def show_curves(models: dict, chosen: list):
    curves = {models[key].name: recorded_curve(models[key].meta) for key in chosen}
    missing = [name for name, curve in curves.items() if curve is None]
    curves = {name: curve for name, curve in curves.items() if curve is not None}
    if curves:
        loss_col, accuracy_col = side_by_side(2)
        loss_col.markdown("**Loss after each epoch**")
        show_chart(overlaid_curves(curves, "loss"), key="runs_loss", where=loss_col)
        accuracy_col.markdown("**Accuracy after each epoch**")
        show_chart(overlaid_curves(curves, "accuracy"), key="runs_accuracy", where=accuracy_col)
        st.caption("As each model's file recorded them while it trained: solid on its training images (the mean over "
                   "the epoch), dotted on the validation images held out from them. One colour per model.")
    if missing:
        st.caption(f"{', '.join(missing)}: no training curve in the model file.")


def difference_sentence(a, b, C_a, C_b) -> str:
    """The cells where two confusion matrices differ most, in words: '4 read as 9: Run 2 23 times, Run 1 only 11'."""
    classes = a.data.info.classes
    parts = []
    for true, said, count_a, count_b in largest_differences(C_a, C_b):
        (more, many), (fewer, few) = sorted([(a.name, count_a), (b.name, count_b)], key=lambda p: -p[1])
        parts.append(f"a {classes[true]} read as {classes[said]}: **{more}** {many} times, **{fewer}** only {few}")
    return ("Where they differ most: " + "; ".join(parts) + ".") if parts else "They make exactly the same mistakes."


def show_confusions(a, b):
    """Two models' confusion matrices on their test set, one colour scale, and where they differ most."""
    if a.data.name != b.data.name:
        st.info(f"**{a.name}** and **{b.name}** learned different datasets: their mistakes do not compare.",
                icon=":material/info:")
        return
    C_a, C_b = (confusion_matrix(m.data.test_labels, m.results.predicted) for m in (a, b))
    top = max(C_a.max(), C_b.max())  # the darkest blue means the same count in both
    for model, C, column, key in zip((a, b), (C_a, C_b), side_by_side(2), ("runs_confusion_a", "runs_confusion_b")):
        column.markdown(f"**{model.name}**: {C.trace() / C.sum():.2%} of {C.sum():,} test images right")
        show_chart(charts.confusion(C, height=420, top=top), key=key, where=column)
    st.markdown(difference_sentence(a, b, C_a, C_b))
    st.caption("Row: the true class, column: what the model said. Evaluate opens each cell's images for the "
               "current model.")


def show(model):
    session = state.session_models()
    shipped = shipped_models()[0]
    if not session:
        st.info("No runs in this session yet: train one on the Train page (or upload a model in the sidebar) and "
                "it joins this table. Meanwhile, compare the shipped models.", icon=":material/info:")
    elif not st.toggle("Shipped models too", key=state.kept(state.RUNS_SHIPPED, True)):
        shipped = {}
    models = {**session, **shipped}  # the session's first
    st.dataframe(table(models), hide_index=True, width="stretch", key="runs_table", column_config={
        "test accuracy": st.column_config.NumberColumn(format="percent"),
        "training time (s)": st.column_config.NumberColumn(format="%.1f")})
    st.caption("Settings as each model file records them (None: not recorded); test accuracy on its dataset's "
               "10,000 test images, as Evaluate measures it; training time: the seconds its training steps took "
               "(validation not counted), on the machine that trained it.")
    key = state.kept(state.RUNS_CHOSEN, default_choice(models, model))
    st.session_state[key] = [k for k in st.session_state[key] if k in models]  # a model that left the table
    chosen = st.multiselect("Models to compare", list(models), key=key, format_func=lambda k: models[k].label)
    if not chosen:
        st.caption("Choose models above to overlay their curves.")
        return
    show_curves(models, chosen)
    if len(chosen) >= 2:
        a, b = models[chosen[0]], models[chosen[1]]
        st.markdown(f"**Mistakes side by side**: {a.name} and {b.name}"
                    + (" (the first two chosen)" if len(chosen) > 2 else ""))
        show_confusions(a, b)
