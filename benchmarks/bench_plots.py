"""Benchmark: drawing decision regions and making every lecture figure.

Run:  python benchmarks/bench_plots.py

1. plot_decision_boundary on a 500 x 500 grid with 600 points, including drawing the
   figure to pixels (target < 0.5 s), next to the floor: imshow of a ready 500 x 500
   RGBA image plus the same scatter, drawn on the same canvas size.
2. gradlab figures: every registered lecture figure written to a temporary folder, each
   timed (target: all of them well under 30 s; 46 s before issue #12, 12 s of it the GIF),
   and the GIF's cost per frame.
"""

from __future__ import annotations

import tempfile
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np
from _timing import best_of
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gradlab.datasets import make_blobs
from gradlab.figures import FIGURES, make_figures
from gradlab.plots import plot_decision_boundary
from gradlab.train import SoftmaxRegression


def main() -> None:
    X, y = make_blobs(600, 3, seed=0)
    model = SoftmaxRegression(lr=0.5, epochs=100).fit(X, y)
    rgba = np.random.default_rng(0).uniform(size=(500, 500, 4))

    def axes():
        fig = Figure(figsize=(6.4, 5.4))
        FigureCanvasAgg(fig)  # render to pixels, as pyplot's Agg backend would
        return fig.subplots()

    def floor():
        ax = axes()
        ax.imshow(rgba, origin="lower", extent=(-6, 6, -6, 6), aspect="auto")
        ax.scatter(X[:, 0], X[:, 1], c=y)
        ax.figure.canvas.draw()

    def boundary():
        ax = axes()
        plot_decision_boundary(model, X, y, resolution=500, ax=ax)
        ax.figure.canvas.draw()

    t_floor, t_plot = best_of(floor), best_of(boundary)
    print("decision regions, 500 x 500 grid, 600 points, drawn to pixels (best of 5)")
    print(f"  imshow + scatter floor   : {t_floor * 1e3:7.1f} ms")
    print(
        f"  plot_decision_boundary   : {t_plot * 1e3:7.1f} ms   "
        f"({t_plot / t_floor:.2f}x floor; target < 500 ms)"
    )

    with tempfile.TemporaryDirectory() as out:
        times = {}
        for name in FIGURES:
            t = time.perf_counter()
            make_figures(out, [name])
            times[name] = time.perf_counter() - t
    print(f"\ngradlab figures ({len(FIGURES)} figures, one run)")
    for name, t in times.items():
        print(f"  {name:22s}: {t:6.2f} s")
    print(f"  {'total':22s}: {sum(times.values()):6.2f} s   (target well under 30 s)")
    if "training_blobs" in times:
        from PIL import Image

        with tempfile.TemporaryDirectory() as out:
            (path,) = make_figures(out, ["training_blobs"])
            with Image.open(path) as gif:
                frames, size = gif.n_frames, gif.size
        print(
            f"  the GIF: {frames} frames of {size[0]} x {size[1]} pixels, "
            f"{times['training_blobs'] / frames:.2f} s per frame"
        )


if __name__ == "__main__":
    main()
