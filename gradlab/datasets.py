"""Small classification data sets for lectures: blobs, spirals and Fisher's iris.

Every loader returns ``(X, y)`` with ``X`` of shape (m, d) and ``y`` of shape (m,),
ready for :class:`gradlab.SoftmaxRegression`. Nothing here touches the network:
iris ships inside the package.
"""

from __future__ import annotations

import numbers
from importlib import resources

import numpy as np

from gradlab._validation import describe

__all__ = ["IRIS_FEATURE_NAMES", "load_iris", "make_blobs", "make_spirals", "standardize"]

IRIS_FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)",
                      "petal width (cm)")  # fmt: skip


def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def _non_negative(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number >= 0; got {describe(value)}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(value)


def _split(n_samples: int, n_classes: int) -> np.ndarray:
    """Class sizes as equal as possible, summing to ``n_samples``."""
    if n_samples < n_classes:  # some class would be empty: y would have fewer classes
        raise ValueError(
            f"n_samples must be at least n_classes ({n_classes}) so that every class has a "
            f"sample; got n_samples={n_samples}"
        )
    sizes = np.full(n_classes, n_samples // n_classes)
    sizes[: n_samples % n_classes] += 1
    return sizes


def make_blobs(n_samples=300, n_classes=3, *, spread=1.0, seed=0):
    """Gaussian blobs in the plane whose centres sit on a circle: linearly separable-ish.

    Parameters
    ----------
    n_samples : int, default 300
        Total number of points ``m``, split as evenly as possible over the classes.
    n_classes : int, default 3
        Number of classes ``C`` (at least 2).
    spread : float, default 1.0
        Standard deviation of each blob; the centres lie on a circle of radius 3.
    seed : int, default 0
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same data.

    Returns
    -------
    X : ndarray of float64, shape (m, 2)
    y : ndarray of int, shape (m,)
        Labels ``0..C-1``.

    Examples
    --------
    >>> from gradlab.datasets import make_blobs
    >>> X, y = make_blobs(n_samples=7, n_classes=3)
    >>> X.shape, y.tolist()
    ((7, 2), [0, 0, 0, 1, 1, 2, 2])
    """
    n_samples = _positive_int("n_samples", n_samples)
    n_classes = _positive_int("n_classes", n_classes, minimum=2)
    spread = _non_negative("spread", spread)
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi / 2
    centres = 3.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(n_classes), _split(n_samples, n_classes))
    X = centres[y] + spread * rng.normal(size=(n_samples, 2))
    return X, y


def make_spirals(n_samples=300, n_classes=3, *, noise=0.2, turns=1.0, seed=0):
    """Interleaved spiral arms, one per class: *not* linearly separable.

    A linear model such as softmax regression can only cut the plane into convex
    wedges, so it cannot follow the arms; the data set shows the model's limits.

    Parameters
    ----------
    n_samples : int, default 300
        Total number of points ``m``.
    n_classes : int, default 3
        Number of arms ``C`` (at least 2).
    noise : float, default 0.2
        Standard deviation of the angular jitter (radians).
    turns : float, default 1.0
        How many times each arm winds around the origin.
    seed : int, default 0

    Returns
    -------
    X : ndarray of float64, shape (m, 2)
        Points inside the unit disc.
    y : ndarray of int, shape (m,)

    Examples
    --------
    >>> from gradlab.datasets import make_spirals
    >>> X, y = make_spirals(n_samples=90)
    >>> X.shape, bool((abs(X) <= 1.5).all()), sorted(set(y.tolist()))
    ((90, 2), True, [0, 1, 2])
    """
    n_samples = _positive_int("n_samples", n_samples)
    n_classes = _positive_int("n_classes", n_classes, minimum=2)
    noise = _non_negative("noise", noise)
    turns = _non_negative("turns", turns)
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_classes), _split(n_samples, n_classes))
    # Radius grows along each arm; within a class the points are evenly spaced in radius.
    r = np.concatenate([np.linspace(0.05, 1.0, n) for n in _split(n_samples, n_classes)])
    theta = 2 * np.pi * (y / n_classes + turns * r) + noise * rng.normal(size=n_samples)
    X = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return X, y


def standardize(X, reference=None):
    """Shift and scale the columns of ``X`` to mean 0 and standard deviation 1.

    Parameters
    ----------
    X : array_like, shape (m, d)
    reference : array_like, shape (n, d), optional
        Take the means and standard deviations from these rows instead (e.g. the
        training set when standardizing a validation set).

    Returns
    -------
    ndarray of float64, shape (m, d)
        A new array; ``X`` is not modified. Constant columns are only centred.

    Examples
    --------
    >>> from gradlab.datasets import standardize
    >>> standardize([[1.0, 5.0], [3.0, 5.0]])
    array([[-1.,  0.],
           [ 1.,  0.]])
    """
    from gradlab._validation import as_array, require_finite

    X = as_array("X", X, ndim=2, shape_hint=" of shape (m, d)").astype(np.float64)
    require_finite("X", X)
    R = X if reference is None else as_array("reference", reference, ndim=2)
    if R.shape[1] != X.shape[1]:
        raise ValueError(
            f"reference must have the same number of columns as X ({X.shape[1]}); "
            f"got shape {R.shape}"
        )
    mean, std = R.mean(axis=0), R.std(axis=0)
    return (X - mean) / np.where(std > 0, std, 1.0)


def load_iris(*, standardized=False):
    """Fisher's iris data: 150 flowers, 4 measurements, 3 species (shipped with gradlab).

    Parameters
    ----------
    standardized : bool, default False
        Return the four features standardized to mean 0 and standard deviation 1
        (what gradient descent wants) instead of in centimetres.

    Returns
    -------
    X : ndarray of float64, shape (150, 4)
        Columns as in ``IRIS_FEATURE_NAMES``.
    y : ndarray of str, shape (150,)
        Species names ``"setosa"``, ``"versicolor"``, ``"virginica"`` (50 each);
        :class:`gradlab.SoftmaxRegression` maps them to classes through ``classes_``.

    Examples
    --------
    >>> from gradlab.datasets import load_iris
    >>> X, y = load_iris()
    >>> X.shape, X[0].tolist(), str(y[0])
    ((150, 4), [5.1, 3.5, 1.4, 0.2], 'setosa')
    """
    text = (
        resources.files("gradlab").joinpath("data").joinpath("iris.csv").read_text(encoding="utf-8")
    )
    rows = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
    header, rows = rows[0], rows[1:]
    if header[-1] != "species" or len(rows) != 150:
        raise RuntimeError("gradlab/data/iris.csv is damaged: reinstall gradlab")
    X = np.array([[float(v) for v in row[:4]] for row in rows])
    y = np.array([row[4] for row in rows])
    return (standardize(X) if standardized else X), y
