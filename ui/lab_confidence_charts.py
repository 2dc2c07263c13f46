"""The lab's "When it doesn't know" figures: accuracy against coverage, and the reliability diagram. No st.* here."""
import numpy as np
import plotly.graph_objects as go

from ui.charts import COLORS, INK, SENT, layout

CURVE_POINTS = 400  # at most this many points of the accuracy-coverage curve are sent (one per threshold: up to 10,000)


def accuracy_coverage(thresholds, coverage, accuracy, chosen, height: int = 360) -> go.Figure:
    """Accuracy on the answered digits (y) against the share answered (x), one point per threshold; `chosen`
    (core.calibration.Choice) marked. The y axis starts where the curve is at half coverage, so the end that
    matters is not flattened by the few surest digits."""
    keep = np.unique(np.searchsorted(coverage, np.linspace(0, 1, CURVE_POINTS)).clip(0, len(coverage) - 1))
    curve = go.Scatter(x=coverage[keep].astype(SENT), y=accuracy[keep].astype(SENT),
                       customdata=thresholds[keep].astype(SENT), mode="lines", name="every threshold",
                       line=dict(color=COLORS["train"]),
                       hovertemplate="threshold %{customdata:.4f}<br>answers %{x:.1%}, %{y:.2%} right<extra></extra>")
    point = go.Scatter(x=[chosen.coverage], y=[chosen.accuracy], mode="markers", name="your threshold",
                       marker=dict(size=12, color=COLORS["val"], line=dict(color="white", width=1)),
                       hovertemplate=f"threshold {chosen.threshold:g}<br>answers %{{x:.1%}}, %{{y:.2%}} right<extra></extra>")
    half = accuracy[np.searchsorted(coverage, 0.5)]
    bottom = min(half, accuracy[-1]) - 0.1 * (1 - min(half, accuracy[-1]))
    return go.Figure([curve, point], layout(
        height, "Answer less, be right more", showlegend=True, legend=dict(x=0.02, y=0.04, yanchor="bottom"),
        xaxis=dict(title="coverage: share of the test images answered", range=[0, 1.01], tickformat=".0%"),
        yaxis=dict(title="accuracy on those answered", range=[bottom, 1.002], tickformat=".1%")))


def reliability_diagram(rel, height: int = 360) -> go.Figure:
    """Bars: the accuracy in each confidence bin (core.calibration.Reliability), its image count written at its foot;
    the diagonal is a calibrated model (right 80 % of the time when 80 % sure); the dots are each bin's mean
    confidence, so the gap between a bar's top and its dot is that bin's miscalibration."""
    centres = (rel.edges[:-1] + rel.edges[1:]) / 2
    width = rel.edges[1] - rel.edges[0]
    filled = rel.counts > 0
    bars = go.Bar(x=centres[filled], y=rel.accuracy[filled], width=width * 0.95, name="accuracy in the bin",
                  marker_color=COLORS["train"], text=[f"{n:,}" for n in rel.counts[filled]], textposition="inside",
                  insidetextanchor="start", textfont=dict(color="white"),  # at the foot: the dots sit at the top
                  customdata=np.stack([rel.confidence[filled], rel.counts[filled]], axis=1),
                  hovertemplate="mean confidence %{customdata[0]:.1%}<br>right %{y:.1%} of %{customdata[1]:,} images"
                                "<extra></extra>")
    dots = go.Scatter(x=centres[filled], y=rel.confidence[filled], mode="markers", name="mean confidence",
                      marker=dict(color=COLORS["val"], size=8), hoverinfo="skip")
    diagonal = go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="calibrated", hoverinfo="skip",
                          line=dict(color=INK, dash="dot"))
    return go.Figure([bars, dots, diagonal], layout(
        height, "Reliability: is it right as often as it is sure?", showlegend=True,
        legend=dict(x=0.02, y=0.98, yanchor="top"),
        xaxis=dict(title="confidence (the top probability), in bins", range=[0, 1], tickformat=".0%"),
        yaxis=dict(title="share right", range=[0, 1.02], tickformat=".0%")))
