"""Many small images in one Plotly heatmap, a mosaic: one trace draws far faster than one subplot each.
Arrays in, figures out; no st.* calls here (like ui.charts, whose layout it uses)."""
import numpy as np
import plotly.graph_objects as go

from ui.charts import DIVERGING, INK, POWERS, SENT, click_targets, layout, title_room

GAP = 1  # pixels of empty space between tiles in a mosaic


def tile(images, columns: int) -> tuple:
    """Lay n images (n, h, w) out in a grid with NaN gaps: (mosaic, index of the tile under each pixel)."""
    n, h, w = images.shape
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP), np.nan)
    owner = np.full(mosaic.shape, -1)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        mosaic[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = img
        owner[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = i
    return mosaic, owner


def mosaic(images, columns: int, names=None, width: int = 800, diverging: bool = False,
           title: str | None = None, ids=None, chosen: int | None = None, row_labels=None,
           column_labels=None, pixel_names: str | None = None) -> go.Figure:
    """Many 28x28 images in one heatmap (one trace renders far faster than one subplot each).

    `names`, one per image, show on hover; without them the chart is a third of the size. A pattern such as
    "neuron {}" names image k "neuron k" from a small number under every pixel instead of a string: for 256
    neurons, 2.3 MB and 0.15 s to make instead of 3.9 MB and 1 s. `width` is about how many pixels wide it will
    be drawn; the height follows from the grid's shape.
    With `ids` (one per image), a click on a tile reports its id and the tile at position `chosen` is outlined;
    then `pixel_names`, a pattern, names every pixel by its tile's id (small numbers) and `names` go to the tiles.
    `row_labels` and `column_labels` name the rows (on the left) and columns (below) of tiles.
    """
    images = np.asarray(images, dtype=float)
    grid, owner = tile(images, columns)
    grid = grid.astype(SENT)
    if pixel_names is not None:
        under = np.where(owner >= 0, np.asarray(ids)[np.clip(owner, 0, None)], -1)   # the id of the tile under each pixel
        hover = dict(customdata=under.astype(np.int16),
                     hovertemplate=pixel_names.replace("{}", "%{customdata}") + "<br>value %{z:.3f}<extra></extra>")
    elif names is None:  # no name under every pixel: a third of the size, for charts redrawn live
        hover = dict(hovertemplate="value %{z:.3f}<extra></extra>")
    elif isinstance(names, str):
        hover = dict(customdata=owner.astype(np.int16),
                     hovertemplate=names.replace("{}", "%{customdata}") + "<br>value %{z:.3f}<extra></extra>")
    else:
        names = np.asarray(names, dtype=object)
        hover = dict(text=np.where(owner >= 0, names[np.clip(owner, 0, None)], ""),
                     hovertemplate="%{text}<br>value %{z:.3f}<extra></extra>")
    if diverging:
        limit = float(np.nanmax(np.abs(grid))) or 1.0
        scale = dict(colorscale=DIVERGING, zmin=-limit, zmax=limit, zmid=0, showscale=True, colorbar=POWERS)
    else:
        scale = dict(colorscale=INK, zmin=0, zmax=float(np.nanmax(grid)) or 1.0, showscale=False)
    trace = go.Heatmap(z=grid, hoverongaps=False, **hover, **scale)
    margins = title_room(title) + (20 if title else 10) + (10 if diverging else 0)
    height = int(width * grid.shape[0] / grid.shape[1]) + margins
    centre_x, centre_y = tile_centres(images.shape, columns)
    edges = edge_labels(centre_x[:columns], centre_y[::columns], row_labels, column_labels)
    fig = go.Figure(trace, layout(min(height, 1400), title, square=True, **edges))
    if ids is not None:
        tile_pixels = 0.9 * width * images.shape[2] / grid.shape[1]   # about the size a tile is drawn
        fig.add_trace(click_targets(centre_x, centre_y, tile_pixels, list(ids), chosen,
                                    "%{text}<br>click to open it<extra></extra>", text=names))
    return fig


def tile_centres(shape: tuple, columns: int) -> tuple:
    """(x, y) of the centre of each of n tiles of h × w pixels, shape (n, h, w), as `tile` lays them out."""
    n, h, w = shape
    rows, cols = np.divmod(np.arange(n), columns)
    return cols * (w + GAP) + (w - 1) / 2, rows * (h + GAP) + (h - 1) / 2


def edge_labels(column_x, row_y, row_labels=None, column_labels=None) -> dict:
    """Axis settings naming the rows of tiles (at heights row_y, on the left) and the columns (at column_x, below)."""
    edges = {}
    if row_labels is not None:
        edges["yaxis"] = dict(visible=True, showgrid=False, zeroline=False, ticks="", tickvals=row_y,
                              ticktext=list(row_labels))
    if column_labels is not None:
        edges["xaxis"] = dict(visible=True, showgrid=False, zeroline=False, ticks="", tickangle=0, tickvals=column_x,
                              ticktext=list(column_labels))
    return edges
