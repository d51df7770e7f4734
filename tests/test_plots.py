"""What the plots draw: colours against predict(), boundaries where logits tie, labels, GIFs."""

import subprocess
import sys
import warnings

import matplotlib

matplotlib.use("Agg")  # no windows; must come before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import gradlab
from gradlab.datasets import load_iris, make_blobs
from gradlab.plots import (
    PALETTE,
    animate_training,
    lecture_style,
    plot_decision_boundary,
    plot_loss,
    plot_probabilities,
)
from gradlab.train import SoftmaxRegression

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(150, 3, seed=0)
    return X, y, SoftmaxRegression(lr=0.5, epochs=40).fit(X, y)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(standardized=True)
    return X, y, SoftmaxRegression("lbfgs", epochs=100, l2=1e-2).fit(X, y)


def pixel_centres(image):
    """Data coordinates of every pixel centre of an origin='lower' AxesImage."""
    left, right, bottom, top = image.get_extent()
    rows, cols = image.get_array().shape[:2]
    xs = left + (np.arange(cols) + 0.5) * (right - left) / cols
    ys = bottom + (np.arange(rows) + 0.5) * (top - bottom) / rows
    return xs, ys


# ----------------------------------------------------------------------------- regions


def test_region_colour_is_the_colour_of_predict(blobs):
    X, y, model = blobs
    drawn = plot_decision_boundary(model, X, y, resolution=60)
    rgba = np.asarray(drawn.image.get_array())
    xs, ys = pixel_centres(drawn.image)
    rng = np.random.default_rng(0)
    for r, c in zip(rng.integers(0, 60, 200), rng.integers(0, 60, 200), strict=True):
        k = model.predict([[xs[c], ys[r]]])[0]
        np.testing.assert_allclose(rgba[r, c, :3], to_rgb(OKABE_ITO[k]))
    # Opacity grows with confidence: sure regions are more opaque than near-ties.
    F = model.predict_proba(np.column_stack([np.tile(xs, 60), np.repeat(ys, 60)]))
    alpha = rgba[..., 3].ravel()
    sure, unsure = F.max(1) > 0.99, F.max(1) < 0.5
    assert alpha[sure].min() > alpha[unsure].max()


def test_rendered_pixels_have_the_predicted_hue(blobs):
    """On the rendered PNG, away from boundaries, each pixel is its class colour over white."""
    X, _, model = blobs
    fig, ax = plt.subplots(figsize=(4, 4), dpi=80)
    plot_decision_boundary(model, X, y=None, ax=ax, resolution=100)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255.0
    height = pixels.shape[0]
    rng = np.random.default_rng(1)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    points = np.column_stack([rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)])
    points = points[model.predict_proba(points).max(axis=1) > 0.9]
    colors = 1 - np.array([to_rgb(c) for c in OKABE_ITO[:3]])
    for point, k in zip(points, model.predict(points), strict=True):
        px, py = ax.transData.transform(point)
        ink = 1 - pixels[height - 1 - int(py), int(px)]  # alpha * (1 - colour)
        cosines = colors @ ink / (np.linalg.norm(colors, axis=1) * np.linalg.norm(ink))
        assert cosines.argmax() == k


def test_boundaries_lie_where_the_top_two_logits_tie(blobs):
    X, y, model = blobs
    drawn = plot_decision_boundary(model, X, y, resolution=80)
    assert len(drawn.boundaries) == 3  # three classes meeting at a point: three rays
    vertices = np.concatenate(
        [path.vertices for cs in drawn.boundaries for path in cs.get_paths() if len(path)]
    )
    Z = np.sort(vertices @ model.coef_ + model.intercept_, axis=1)
    # Logits are linear in x, so contouring their difference is exact up to rounding.
    np.testing.assert_allclose(Z[:, -1], Z[:, -2], atol=1e-9 * np.abs(Z).max())


def test_points_legend_and_labels(blobs):
    X, y, model = blobs
    drawn = plot_decision_boundary(model, X, y, resolution=30, title="Blobs")
    ax = drawn.ax
    assert ax.get_title() == "Blobs"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    assert [t.get_text() for t in drawn.legend.get_texts()] == ["0", "1", "2"]
    assert len(drawn.points) == 3
    markers = set()
    for k, points in enumerate(drawn.points):
        np.testing.assert_allclose(points.get_offsets(), X[y == k])
        np.testing.assert_allclose(points.get_facecolor()[0, :3], to_rgb(OKABE_ITO[k]))
        markers.add(points.get_paths()[0].vertices.tobytes())
    assert len(markers) == 3  # a marker per class, not only a colour


def test_more_than_two_features_is_a_labelled_slice(iris):
    X, y, model = iris
    names = ["sl", "sw", "pl", "pw"]
    drawn = plot_decision_boundary(model, X, y, features=(2, 3), feature_names=names, resolution=40)
    ax = drawn.ax
    assert "2-D slice of 4-D data: sl, sw fixed at their mean" in ax.get_title()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("pl", "pw")
    assert [t.get_text() for t in drawn.legend.get_texts()] == ["setosa", "versicolor", "virginica"]
    # The slice holds the other features at their mean: check a pixel against predict().
    rgba = np.asarray(drawn.image.get_array())
    xs, ys = pixel_centres(drawn.image)
    point = X.mean(axis=0)
    point[2], point[3] = xs[5], ys[30]
    k = np.searchsorted(model.classes_, model.predict([point])[0])
    np.testing.assert_allclose(rgba[30, 5, :3], to_rgb(OKABE_ITO[k]))
    default = plot_decision_boundary(model, X, y, resolution=20).ax
    assert "$x_3$, $x_4$ fixed at their mean" in default.get_title()
    panels = plot_probabilities(model, X, y, features=(2, 3), resolution=20).axes
    assert (
        panels[0].figure.get_suptitle() == "2-D slice of 4-D data: $x_1$, $x_2$ fixed at their mean"
    )
    assert panels[1].get_title() == "P(y = versicolor | x)"


def test_probabilities_are_the_softmax_on_the_grid(blobs):
    X, y, model = blobs
    drawn = plot_probabilities(model, X, y, resolution=30)
    assert len(drawn.images) == 3 and drawn.colorbar is not None
    xs, ys = pixel_centres(drawn.images[0])
    G = np.column_stack([np.tile(xs, 30), np.repeat(ys, 30)])
    Z = G @ model.coef_ + model.intercept_
    F = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    for k, image in enumerate(drawn.images):
        np.testing.assert_allclose(np.asarray(image.get_array()).ravel(), F[:, k], rtol=1e-9)
        assert image.get_clim() == (0.0, 1.0)
    # the class as the labels name it, 0-based here: no 1-based f_k on the same line
    titles = [ax.get_title() for ax in drawn.axes]
    assert titles == ["P(y = 0 | x)", "P(y = 1 | x)", "P(y = 2 | x)"]
    assert drawn.figure is drawn.ax.figure and drawn.ax is drawn.axes[0]


def test_nine_classes_are_laid_out_in_a_grid_not_one_long_row():
    X, y = make_blobs(180, 9, seed=0)
    model = SoftmaxRegression("lbfgs", epochs=20).fit(X, y)
    drawn = plot_probabilities(model, X, y, resolution=10)
    rows = {round(ax.get_position().y0, 3) for ax in drawn.axes}
    cols = {round(ax.get_position().x0, 3) for ax in drawn.axes}
    assert (len(rows), len(cols)) == (3, 3)
    width = drawn.figure.get_size_inches()[0]
    assert width < 16 and len(drawn.figure.axes) == 9 + 1  # 9 panels and the colorbar
    drawn = plot_probabilities(model, X, y, resolution=10, ncols=5)
    assert len({round(ax.get_position().y0, 3) for ax in drawn.axes}) == 2
    assert len(drawn.figure.axes) == 9 + 1  # the spare grid cell is removed
    with pytest.raises(ValueError, match="ncols must be an integer >= 1; got 0"):
        plot_probabilities(model, X, y, resolution=10, ncols=0)


# ----------------------------------------------------------------------------- loss


def test_loss_curves_one_line_per_run_and_dashed_validation():
    X, y = make_blobs(80, 3, seed=0)
    Xv, yv = make_blobs(40, 3, seed=1)
    runs = [SoftmaxRegression(lr=lr, epochs=12).fit(X, y, Xv, yv) for lr in (0.1, 1.0)]
    ax = plt.subplots()[1]
    drawn = plot_loss(runs, ax=ax)
    assert drawn.ax is ax and drawn.figure is ax.figure
    lines = drawn.lines
    assert len(lines) == 4 and len(ax.get_lines()) == 4
    np.testing.assert_array_equal(lines[0].get_ydata(), runs[0].history_["loss"])
    np.testing.assert_array_equal(lines[1].get_ydata(), runs[0].history_["val_loss"])
    np.testing.assert_array_equal(lines[2].get_xdata(), np.arange(13))
    assert [line.get_linestyle() for line in lines] == ["-", "--", "-", "--"]
    assert lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["gd, lr=0.1", "gd, lr=1", "validation"]
    assert (ax.get_xlabel(), ax.get_title()) == ("epoch", "Training loss")
    assert "J" in ax.get_ylabel()

    ax2 = plt.subplots()[1]
    lines = plot_loss(
        {"slow": runs[0], "fast": runs[1]}, metric="accuracy", ax=ax2, validation=False
    ).lines
    assert [line.get_label() for line in lines] == ["slow", "fast"]
    np.testing.assert_array_equal(lines[1].get_ydata(), runs[1].history_["accuracy"])
    assert ax2.get_ylabel() == "accuracy" and ax2.get_yscale() == "linear"


def test_gap_to_the_optimum_on_a_log_axis():
    X, y = make_blobs(80, 3, seed=0)
    run = SoftmaxRegression(lr=0.5, epochs=20, l2=0.1).fit(X, y)
    J_star = SoftmaxRegression("lbfgs", epochs=200, l2=0.1).fit(X, y).history_["loss"][-1]
    ax = plt.subplots()[1]
    (line,) = plot_loss(run, optimum=J_star, ax=ax).lines
    np.testing.assert_allclose(line.get_ydata(), run.history_["loss"] - J_star)
    assert ax.get_yscale() == "log" and "J^*" in ax.get_ylabel()


def test_loss_colours_follow_the_colour_cycle_or_colors():
    X, y = make_blobs(60, 3, seed=0)
    runs = [SoftmaxRegression(lr=lr, epochs=5).fit(X, y) for lr in (0.1, 0.5, 1.0)]
    cycle = ["#111111", "#222222"]
    with matplotlib.rc_context({"axes.prop_cycle": matplotlib.cycler(color=cycle)}):
        drawn = plot_loss(runs, ax=plt.subplots()[1])
    assert [line.get_color() for line in drawn.lines] == ["#111111", "#222222", "#111111"]
    drawn = plot_loss(runs, ax=plt.subplots()[1], colors=["red", "black", "blue"])
    assert [line.get_color() for line in drawn.lines] == ["red", "black", "blue"]
    with pytest.raises(ValueError, match="colors must be a non-empty list"):
        plot_loss(runs, colors="red")


def test_diverged_run_is_marked():
    X, y = make_blobs(60, 3, seed=0)
    with pytest.warns(gradlab.train.DivergenceWarning):
        bad = SoftmaxRegression(lr=50, epochs=50, l2=1.0).fit(X, y)
    ax = plt.subplots()[1]
    (line,) = plot_loss(bad, ax=ax, log=True).lines
    assert "diverged after epoch" in line.get_label()
    assert np.isfinite(line.get_ydata()).all()
    cross = [m for m in ax.get_lines() if m.get_marker() == "X"]
    assert len(cross) == 1 and cross[0].get_xdata()[0] == bad.n_iter_


# ----------------------------------------------------------------------------- animation


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
def test_training_gif_has_one_frame_per_shown_epoch(blobs, tmp_path):
    X, y, model = blobs
    anim = animate_training(model, X, y, frames=6, resolution=25)
    epochs = [int(model.history_["epoch"][i]) for i in anim.frame_indices]
    assert epochs[0] == 0 and epochs[-1] == 40 and len(epochs) == 6
    path = tmp_path / "training.gif"
    anim.save(path, writer="pillow", dpi=40)
    with Image.open(path) as gif:
        assert gif.n_frames == 6
        first = np.asarray(gif.convert("RGB"))
        gif.seek(5)
        last = np.asarray(gif.convert("RGB"))
    assert not np.array_equal(first, last)  # the boundary moved
    boundary_ax, loss_ax = anim.axes
    assert anim.figure.axes == [boundary_ax, loss_ax] and anim.ax is boundary_ax
    assert "epoch 40" in boundary_ax.get_title()
    # The loss panel: the full curve, and the marker at the last shown epoch.
    curve, marker = loss_ax.get_lines()
    np.testing.assert_array_equal(curve.get_ydata(), model.history_["loss"])
    assert (marker.get_xdata()[0], marker.get_ydata()[0]) == (40, model.history_["loss"][-1])
    assert loss_ax.get_xlabel() == "epoch" and "J" in loss_ax.get_ylabel()


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
def test_gradlab_gif_writer_matches_matplotlibs_frames(blobs, tmp_path):
    X, y, model = blobs
    ours = animate_training(model, X, y, frames=4, resolution=20, interval=120)
    ours.save(tmp_path / "ours.gif", dpi=40)  # blitted onto one rendering of the still parts
    theirs = animate_training(model, X, y, frames=4, resolution=20, interval=120)
    theirs.save(tmp_path / "theirs.gif", writer="pillow", dpi=40)  # every frame drawn whole
    with Image.open(tmp_path / "ours.gif") as a, Image.open(tmp_path / "theirs.gif") as b:
        assert a.n_frames == b.n_frames == 4 and a.size == b.size
        assert a.info["duration"] == 120
        for n in range(4):
            a.seek(n)
            b.seek(n)
            mine, full = (np.asarray(g.convert("RGB"), dtype=float) for g in (a, b))
            # the same picture up to palette rounding: a blitting slip (a stale title, a
            # region drawn twice) would differ by far more on many pixels
            assert np.mean(np.abs(mine - full) > 40) < 0.01, n
    assert type(ours.figure.canvas).__name__ == "FigureCanvasBase"  # canvas given back
    fig, ax = plt.subplots(layout="constrained")
    engine = fig.get_layout_engine()
    animate_training(model, X, y, frames=2, resolution=10, ax=ax).save(tmp_path / "a.gif")
    assert fig.get_layout_engine() is engine and fig.dpi == plt.rcParams["figure.dpi"]


def test_animation_on_a_given_axes_draws_only_there(blobs):
    X, y, model = blobs
    fig, ax = plt.subplots()
    anim = animate_training(model, X, y, frames=3, resolution=10, ax=ax)
    assert anim.figure is fig and fig.axes == [ax] and anim.axes == (ax,)
    # the caller's figure keeps its layout engine: only gradlab's own figure is frozen
    anim.animation._draw_was_started = True  # not rendered: silence matplotlib's reminder


def test_animation_plays_in_jupyter(blobs):
    X, y, model = blobs
    html = animate_training(model, X, y, frames=2, resolution=10).to_jshtml()
    assert "<script" in html and "frames" in html


# ----------------------------------------------------------------------------- output, style


@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")]
)
def test_figures_save_cleanly(blobs, tmp_path, fmt, magic):
    X, y, model = blobs
    with lecture_style():
        drawn = plot_decision_boundary(model, X, y, resolution=40)
        path = tmp_path / f"boundary.{fmt}"
        drawn.ax.figure.savefig(path)
    assert path.read_bytes().startswith(magic) and path.stat().st_size > 1000


def test_lecture_style_is_scoped():
    before = dict(matplotlib.rcParams)
    with lecture_style():
        assert matplotlib.rcParams["font.size"] >= 14
        assert matplotlib.rcParams["lines.linewidth"] >= 2
        assert [c.lower() for c in matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]] == [
            c.lower() for c in PALETTE
        ]
    assert dict(matplotlib.rcParams) == before


def test_bad_plot_input_is_named(blobs):
    X, y, model = blobs
    with pytest.raises(ValueError, match="fitted SoftmaxRegression"):
        plot_decision_boundary(SoftmaxRegression(), X, y)
    with pytest.raises(ValueError, match="X must have the model's 2 features"):
        plot_decision_boundary(model, X[:, :1], y)
    with pytest.raises(ValueError, match=r"labels the model has not seen: \[9\]"):
        plot_decision_boundary(model, X, np.where(y == 0, 9, y))
    with pytest.raises(ValueError, match="features must be two different column indices"):
        plot_decision_boundary(model, X, y, features=(0, 0))
    with pytest.raises(ValueError, match="metric must be one of"):
        plot_loss(model, metric="precision")
    with pytest.raises(TypeError, match="runs must be fitted SoftmaxRegression"):
        plot_loss(["not a model"])
    one = SoftmaxRegression(epochs=2).fit(X[:, :1], y)
    with pytest.raises(ValueError, match="needs at least 2 features; X has 1"):
        plot_decision_boundary(one, X[:, :1], y)


def test_train_and_plots_do_not_import_matplotlib_until_plotting():
    code = (
        "import sys, gradlab.train, gradlab.datasets, gradlab.optimizers, gradlab.figures;"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plots_is_a_lazy_attribute():
    assert gradlab.plots.plot_loss is plot_loss


# ----------------------------------------------------------------------------- CLI, figures


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
def test_cli_train_prints_a_summary_and_writes_figures(tmp_path, capsys):
    from gradlab.cli import main

    code = main(
        [
            "train",
            "--dataset",
            "iris",
            "--optimizer",
            "gd",
            "--lr",
            "0.5",
            "--epochs",
            "30",
            "--out",
            str(tmp_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "iris: m = 112 training samples (38 held out for validation), d = 4 features" in out
    assert "validation J / accuracy" in out
    assert "setosa, versicolor, virginica" in out and "train accuracy" in out
    for name in ("train_iris_gd_loss.png", "train_iris_gd_boundary.png"):
        with Image.open(tmp_path / name) as image:
            assert image.size[0] > 500


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
def test_cli_train_reports_divergence(tmp_path, capsys):
    from gradlab.cli import main

    code = main(
        [
            "train",
            "--dataset",
            "blobs",
            "--lr",
            "50",
            "--l2",
            "1",
            "--epochs",
            "20",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 1
    assert "is too large for this data, try lr <=" in capsys.readouterr().err


def test_register_is_a_one_liner(tmp_path):
    from gradlab.figures import FIGURES, make_figures, register

    register("hello", lambda out: out / "hello.txt")
    try:
        assert make_figures(tmp_path, ["hello"]) == [tmp_path / "hello.txt"]
        with pytest.raises(ValueError, match="unknown figure"):
            make_figures(tmp_path, ["nope"])
    finally:
        del FIGURES["hello"]


@pytest.mark.slow
@pytest.mark.early_run("-m", "gradlab", "figures", "--out", "figs")  # see tests/conftest.py
def test_gradlab_figures_writes_every_figure(early_run):
    from gradlab.figures import FIGURES

    assert early_run.returncode == 0, early_run.stderr.decode()
    out = early_run.folder / "figs"
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == len(FIGURES) >= 7
    assert "training_blobs.gif" in written and "loss_optimizers.png" in written
    assert early_run.stdout.decode().count("wrote ") == len(FIGURES)
    with Image.open(out / "training_blobs.gif") as gif:
        assert gif.n_frames > 10


def test_lecture_style_keeps_interactive_mode_that_the_backend_switched_on():
    # Jupyter's inline backend switches interactive mode on at the first figure; if the
    # style's exit switched it off again, no later figure in the notebook would show.
    import matplotlib as mpl

    was = mpl.is_interactive()
    try:
        mpl.interactive(False)
        with lecture_style():
            mpl.interactive(True)
        assert mpl.is_interactive()
    finally:
        mpl.interactive(was)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"frames": 2.7}, TypeError),
        ({"frames": "a"}, TypeError),
        ({"frames": 0}, ValueError),
        ({"resolution": 30.5}, TypeError),
        ({"resolution": "fine"}, TypeError),
        ({"resolution": 1}, ValueError),
    ],
)
def test_animation_counts_must_be_integers_named(blobs, kwargs, error):
    X, y, model = blobs
    name = next(iter(kwargs))
    with pytest.raises(error, match=f"{name} must be an integer"):
        animate_training(model, X, y, **{"frames": 2, "resolution": 10, **kwargs})


def test_an_optimum_above_every_loss_is_named_not_an_empty_plot(blobs):
    model = blobs[2]
    ax = plt.subplots()[1]
    with pytest.raises(ValueError, match=r"optimum .* must be below"):
        plot_loss(model, optimum=model.history_["loss"].max() + 1.0, ax=ax)


def test_accuracy_on_a_log_axis_warns_nothing(blobs):
    model = blobs[2]
    ax = plt.subplots()[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lines = plot_loss(model, metric="accuracy", log=True, ax=ax).lines
    assert ax.get_yscale() == "log"
    assert np.allclose(lines[0].get_ydata(), model.history_["accuracy"])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--samples", "2"], "n_samples must be at least n_classes"),
        (["--samples", "0"], "n_samples must be an integer >= 1"),
        (["--out", "{file}/sub"], "cannot write the figures"),
    ],
)
def test_cli_train_bad_input_is_a_message_not_a_traceback(tmp_path, capsys, extra, message):
    from gradlab.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    extra = [a.replace("{file}", str(blocker)) for a in extra]
    args = ["train", "--epochs", "2", "--out", str(tmp_path / "figs"), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_cli_figures_into_an_unwritable_place_is_a_message(tmp_path, capsys):
    from gradlab.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["figures", "--out", str(blocker / "sub"), "--only", "boundary_blobs"]) == 2
    assert "gradlab figures:" in capsys.readouterr().err


def test_classes_past_the_palette_still_get_their_own_colour_and_marker():
    from gradlab.plots._style import class_color, class_marker

    pairs = {(class_color(k), class_marker(k)) for k in range(40)}
    assert len(pairs) == 40


def test_ten_classes_are_drawn_distinguishably():
    X, y = make_blobs(200, 10, seed=1)
    model = SoftmaxRegression("lbfgs", epochs=20).fit(X, y)
    drawn = plot_decision_boundary(model, X, y, resolution=40)
    handles = drawn.ax.get_legend().legend_handles
    styles = {
        (tuple(h.get_facecolor()[0][:3]), h.get_paths()[0].vertices.tobytes()) for h in handles
    }
    assert len(handles) == 10 and len(styles) == 10
