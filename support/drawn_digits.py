"""Digits drawn in the browser on the Draw page's canvas, by several made-up hands: a test set unlike MNIST's.

Each digit 0-9 is a few polylines in a unit box (TEMPLATES); a hand draws it at its own size, slant, place and
speed, with a little tremor. Playwright drags the mouse along the strokes on the app's canvas in headless
Chromium; the canvas's pixels are read back and prepared as the page prepares them (core.preprocess.PREPARE).

    python -m support.drawn_digits      # writes tests/data/drawn_digits.npz: images (N, 28, 28) uint8, labels (N,)

The images are the prepared 28×28 digits the network reads (×255, as MNIST stores them), not the 280×280 canvas.
"""
import os

import numpy as np

from support.browser import CANVAS, CHROMIUM_FLAGS, CLEAR, IDLE, ROOT, free_port, start_server, stop_server

OUT = ROOT / "tests" / "data" / "drawn_digits.npz"
CANVAS_SIZE = 280


def arc(cx, cy, rx, ry, start, end, points=14):
    """Points along an ellipse from angle `start` to `end` (degrees, 0 = right, 90 = down)."""
    t = np.deg2rad(np.linspace(start, end, points))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


TEMPLATES = {  # digit -> strokes, each a list of (x, y) in a unit box (y down)
    0: [arc(0.5, 0.5, 0.32, 0.45, -90, 270, 24)],
    1: [[(0.35, 0.2), (0.55, 0.05), (0.55, 0.95)]],
    2: [arc(0.5, 0.3, 0.32, 0.25, 190, 360, 10) + [(0.75, 0.5), (0.15, 0.95), (0.9, 0.95)]],
    3: [arc(0.5, 0.27, 0.3, 0.22, 200, 450, 12) + arc(0.5, 0.71, 0.34, 0.24, -90, 160, 12)],
    4: [[(0.6, 0.05), (0.12, 0.65), (0.9, 0.65)], [(0.68, 0.35), (0.68, 0.97)]],
    5: [[(0.85, 0.05), (0.3, 0.05), (0.25, 0.45)] + arc(0.5, 0.68, 0.33, 0.27, -120, 150, 12)],
    6: [[(0.75, 0.05), (0.45, 0.25), (0.25, 0.55)] + arc(0.5, 0.7, 0.27, 0.25, 180, 540, 18)],
    7: [[(0.1, 0.08), (0.9, 0.08), (0.4, 0.95)]],
    8: [arc(0.5, 0.27, 0.25, 0.22, 90, 450, 16) + arc(0.5, 0.72, 0.3, 0.24, -90, 270, 18)],
    9: [arc(0.5, 0.3, 0.27, 0.25, 0, 360, 16) + [(0.77, 0.3), (0.72, 0.97)]],
}
HANDS = [  # size (px), slant (x shift per unit of height), centre offset (px), mouse steps per segment, tremor (px)
    dict(size=200, slant=0.0, offset=(0, 0), steps=6, tremor=0),
    dict(size=150, slant=0.25, offset=(-20, 10), steps=2, tremor=2),
    dict(size=230, slant=-0.15, offset=(10, -10), steps=10, tremor=3),
    dict(size=120, slant=0.1, offset=(30, 25), steps=4, tremor=1),
    dict(size=180, slant=0.35, offset=(-15, -20), steps=8, tremor=4),
    dict(size=210, slant=-0.05, offset=(-30, 15), steps=3, tremor=2),
]


def strokes_on_canvas(digit: int, hand: dict, rng) -> list:
    """The digit's strokes in canvas pixels as this hand draws it: scaled, slanted, moved, trembling."""
    s, (ox, oy) = hand["size"], hand["offset"]
    placed = []
    for stroke in TEMPLATES[digit]:
        xy = np.array(stroke)
        x = (xy[:, 0] - 0.5 + hand["slant"] * (0.5 - xy[:, 1])) * s * 0.75 + CANVAS_SIZE / 2 + ox
        y = (xy[:, 1] - 0.5) * s + CANVAS_SIZE / 2 + oy
        x, y = x + rng.normal(0, hand["tremor"], len(x)), y + rng.normal(0, hand["tremor"], len(y))
        placed.append(list(zip(x.clip(5, CANVAS_SIZE - 5), y.clip(5, CANVAS_SIZE - 5))))
    return placed


def drag(page, strokes, steps: int):
    """Drag the mouse along each stroke, `steps` mouse moves per segment (fewer: a faster hand)."""
    box = page.locator(CANVAS).bounding_box()
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
        page.mouse.up()


def canvas_rgba(page) -> np.ndarray:
    """The drawing as the canvas sends it to the page: RGBA (280, 280, 4), white ink over black."""
    width, height, values = page.locator("[data-testid=stBidiComponentIsolated] canvas.dc-canvas.lower-canvas").evaluate(
        "c => [c.width, c.height, Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)]")
    strokes = np.array(values, np.uint8).reshape(height, width, 4)
    over_black = strokes[..., :3].astype(np.uint16) * strokes[..., 3:] // 255
    return np.dstack([over_black.astype(np.uint8), np.full((height, width), 255, np.uint8)])


def draw_all(url: str) -> tuple:
    from playwright.sync_api import sync_playwright

    from core.preprocess import PREPARE
    images, labels, rng = [], [], np.random.default_rng(0)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url + "/draw")
        page.wait_for_selector(IDLE, timeout=60_000)
        page.locator(CANVAS).wait_for(timeout=60_000)
        for h, hand in enumerate(HANDS):
            for digit in TEMPLATES:
                strokes = strokes_on_canvas(digit, hand, rng)
                for _ in range(3):  # a rerun of the page may reset the canvas under a stroke: then draw it again
                    drag(page, strokes, hand["steps"])
                    prepared = PREPARE["mnist"](canvas_rgba(page))
                    if prepared.ok:
                        break
                    page.wait_for_selector(IDLE, timeout=60_000)
                else:
                    raise RuntimeError(f"hand {h}, digit {digit}: {prepared.message}")
                images.append((prepared.x.reshape(28, 28) * 255).round().astype(np.uint8))
                labels.append(digit)
                page.locator(CLEAR).click()
                page.wait_for_timeout(400)
        browser.close()
    return np.stack(images), np.array(labels, np.uint8)


def main():
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    server = start_server(port := free_port())
    try:
        images, labels = draw_all(f"http://127.0.0.1:{port}")
    finally:
        stop_server(server)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, images=images, labels=labels)
    print(f"saved {OUT.relative_to(ROOT)}: {len(labels)} digits by {len(HANDS)} hands")


if __name__ == "__main__":
    main()
