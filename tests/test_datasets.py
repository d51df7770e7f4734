"""The data sets: shapes, determinism, the shipped iris file against scikit-learn's copy."""

import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import gradlab
from gradlab.datasets import load_iris, make_blobs, make_spirals, standardize


@pytest.mark.slow  # imports scikit-learn
def test_iris_matches_scikit_learns_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    ref = datasets.load_iris()
    X, y = load_iris()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, np.asarray(ref.target_names)[ref.target])


def test_iris_standardized():
    X, y = load_iris(standardized=True)
    raw, _ = load_iris()
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(X, (raw - raw.mean(0)) / raw.std(0))
    assert sorted(set(y.tolist())) == ["setosa", "versicolor", "virginica"]


def test_iris_is_reachable_without_network_as_package_data():
    text = (Path(gradlab.__file__).parent / "data" / "iris.csv").read_text()
    assert "Fisher" in text.splitlines()[0]  # the source is noted in the file itself
    assert sum(1 for line in text.splitlines() if line and line[0].isdigit()) == 150


@pytest.mark.slow
def test_wheel_ships_iris(tmp_path):
    """The built wheel contains the CSV (hatchling includes files under the package)."""
    root = Path(__file__).resolve().parents[1]
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here (hatchling missing?): {build.stderr[-300:]}")
    (wheel,) = tmp_path.glob("gradlab-*.whl")
    assert "gradlab/data/iris.csv" in zipfile.ZipFile(wheel).namelist()


@pytest.mark.parametrize("make", [make_blobs, make_spirals])
def test_generators_are_deterministic_and_balanced(make):
    X, y = make(n_samples=100, n_classes=4, seed=5)
    X2, y2 = make(n_samples=100, n_classes=4, seed=5)
    X3, _ = make(n_samples=100, n_classes=4, seed=6)
    assert X.shape == (100, 2) and y.shape == (100,)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.allclose(X, X3)
    assert np.bincount(y).tolist() == [25, 25, 25, 25]


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
def test_blobs_are_nearly_linearly_separable_and_spirals_are_not():
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression

    Xb, yb = make_blobs(300, 3, seed=0)
    Xs, ys = make_spirals(300, 3, seed=0)
    assert LogisticRegression(max_iter=1000).fit(Xb, yb).score(Xb, yb) > 0.95
    assert LogisticRegression(max_iter=1000).fit(Xs, ys).score(Xs, ys) < 0.7


def test_spiral_arms_wind_around_the_origin():
    X, y = make_spirals(300, 3, noise=0.0, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.max() <= 1.0 + 1e-12
    for k in range(3):
        angle = np.unwrap(np.arctan2(X[y == k, 1], X[y == k, 0]))
        assert angle[-1] - angle[0] == pytest.approx(2 * np.pi * 0.95, rel=1e-9)  # one turn


def test_standardize_uses_the_reference_and_keeps_input():
    A = np.array([[1.0, 2.0], [3.0, 2.0]])
    B = np.array([[5.0, 3.0]])
    A0 = A.copy()
    np.testing.assert_allclose(standardize(B, reference=A), [[3.0, 1.0]])  # col 2: only centred
    np.testing.assert_array_equal(A, A0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: make_blobs(n_samples=0), ValueError, "n_samples must be an integer >= 1"),
        (lambda: make_blobs(n_classes=1), ValueError, "n_classes must be an integer >= 2"),
        (lambda: make_spirals(n_samples=2.5), TypeError, "n_samples must be an integer"),
        (lambda: make_spirals(noise=-1), ValueError, "noise must be a finite number >= 0"),
        (lambda: standardize([[1.0, 2.0]], reference=[[1.0]]), ValueError, "same number"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_datasets_is_a_lazy_attribute():
    assert gradlab.datasets.load_iris is load_iris


@pytest.mark.parametrize("make", [make_blobs, make_spirals])
def test_fewer_samples_than_classes_is_named_not_silently_fewer_classes(make):
    with pytest.raises(ValueError, match=r"n_samples must be at least n_classes \(3\)"):
        make(n_samples=2, n_classes=3)
    _, y = make(n_samples=3, n_classes=3)
    assert sorted(y.tolist()) == [0, 1, 2]
