"""The Train page's layer statistics: per layer, how big its weights and gradients are, how far each step moves it,
and how many of its ReLU units are dead, from the job's snapshot (live while it trains, and after the run)."""
import streamlit as st

from jobs.state import Snapshot
from ui.layer_stats_charts import CHARTS, GUIDE_RATIO, layer_stat_chart
from ui.shell import show_chart, side_by_side


def show_layer_stats(snap: Snapshot):
    """Four small charts, two a row; the dead-unit chart only for ReLU networks."""
    if not snap.layer_stats:
        return
    st.markdown("**Inside each layer**, measured at about ten steps an epoch. Sizes are per weight (divided by "
                "√size), so a big layer does not look bigger for having more weights.")
    shown = [s for s in CHARTS if s != "dead_share" or len(snap.layer_stats[-1].dead_share)]
    for row in range(0, len(shown), 2):
        for column, statistic in zip(side_by_side(2), shown[row:row + 2]):
            show_chart(layer_stat_chart(snap.layer_stats, snap.stat_layers, statistic),
                       key=f"layer_stats_{statistic}", where=column)
    st.caption(f"**Update / weight** is how far one step of the optimiser moved a layer, relative to the layer: "
               f"near {GUIDE_RATIO:g} (the dashed line) is the usual rule of thumb. Far above (10⁻¹) each step "
               "rewrites much of the layer and training can jump about or blow up: lower the learning rate. Far below "
               "(10⁻⁵) the layer hardly moves and learns slowly: raise it. A **dead** ReLU unit outputs 0 for every "
               "image of the batch, so no gradient reaches its weights and it may never wake up again.")
