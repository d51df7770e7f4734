"""Flattening of ``x`` (an array or a dict of arrays) and safe evaluation of ``f``.

Every finite difference works on one private flat vector ``theta``: the
caller's arrays are copied once, ``f`` only ever sees views of a private
buffer, and that buffer is restored after each call, so nothing the caller
owns is modified, not even when ``f`` raises partway through a check.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings

import numpy as np

from gradlab._validation import _asarray, describe, require_finite

try:  # NumPy >= 1.25
    from numpy.exceptions import ComplexWarning
except ImportError:  # pragma: no cover
    from numpy import ComplexWarning


class Params:
    """The layout of ``x``: names, shapes and offsets into one flat vector."""

    def __init__(self, x, name: str = "x"):
        if isinstance(x, dict):
            if not x:
                raise ValueError(f"{name} must be a non-empty dict of arrays; got an empty dict")
            items = list(x.items())
            self.names: list[str] | None = [str(k) for k, _ in items]
            self.keys = [k for k, _ in items]
        else:
            items = [(None, x)]
            self.names = None
            self.keys = [None]
        arrays = []
        converted = []
        for key, value in items:
            label = name if key is None else f"{name}[{key!r}]"
            arr = _asarray(value, f"{label} must be a rectangular array of real numbers")
            if arr.dtype.kind in "iub":
                converted.append(label)
            elif arr.dtype.kind == "c":
                raise TypeError(f"{label} must be real; got {describe(arr)}")
            elif arr.dtype.kind != "f":
                raise TypeError(f"{label} must be an array of real numbers; got {describe(arr)}")
            if arr.size == 0:
                raise ValueError(f"{label} must have at least one entry; got shape {arr.shape}")
            arrays.append(arr)
        if converted:
            # Integer arrays would truncate every perturbation to zero.
            warnings.warn(
                f"{', '.join(converted)} had an integer or boolean dtype; converted to float64 "
                "(finite differences need floating-point parameters)",
                UserWarning,
                stacklevel=3,
            )
        kinds = [a.dtype if a.dtype.kind == "f" else np.dtype(np.float64) for a in arrays]
        dtype = np.result_type(*kinds)
        if dtype not in (np.float32, np.float64):
            dtype = np.dtype(np.float64)
        self.dtype = np.dtype(dtype)
        self.shapes = [a.shape for a in arrays]
        self.sizes = [a.size for a in arrays]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.size = int(self.offsets[-1])
        self.theta = np.concatenate([a.astype(self.dtype).ravel() for a in arrays])
        # The typical size of each parameter (root mean square, 1 if all zero): steps
        # scale with max(|x_j|, typical) so that near-zero entries of a parameter whose
        # other entries are ~1e-6 get a step suited to ~1e-6, not to 1.
        self.typical = (
            np.concatenate([np.full(a.size, _rms(a)) for a in arrays]) if arrays else np.ones(0)
        )
        self.typical_all = _rms(self.theta)
        for key, a in zip(self.keys, arrays, strict=True):
            require_finite(name if key is None else f"{name}[{key!r}]", a)

    # ------------------------------------------------------------------ layout
    @property
    def labels(self) -> list[str]:
        return [""] if self.names is None else self.names

    @property
    def blocks(self) -> list[tuple[str, slice, tuple]]:
        return [
            (label, slice(self.offsets[i], self.offsets[i + 1]), self.shapes[i])
            for i, label in enumerate(self.labels)
        ]

    def unflatten(self, vec: np.ndarray):
        """Views of ``vec`` with the structure of ``x``."""
        views = [
            vec[self.offsets[i] : self.offsets[i + 1]].reshape(self.shapes[i])
            for i in range(len(self.shapes))
        ]
        if self.names is None:
            return views[0]
        return dict(zip(self.keys, views, strict=False))

    def locate(self, j: int) -> tuple[str, tuple]:
        """The parameter name and index of flat entry ``j``."""
        i = int(np.searchsorted(self.offsets, j, side="right") - 1)
        return self.labels[i], tuple(
            int(k) for k in np.unravel_index(j - self.offsets[i], self.shapes[i])
        )

    def entry_name(self, j: int) -> str:
        label, idx = self.locate(j)
        inner = ", ".join(str(k) for k in idx)
        return f"{label}[{inner}]" if label else f"[{inner}]"

    def flatten(self, value, what: str = "grad") -> np.ndarray:
        """``value`` (same structure as ``x``) as a flat float vector, with clear errors."""
        if self.names is None:
            if isinstance(value, dict):
                raise TypeError(f"{what} must be an array like x; got a dict")
            parts = [(None, value, self.shapes[0])]
        else:
            if isinstance(value, (tuple, list)) and len(value) == len(self.names):
                value = dict(zip(self.keys, value, strict=False))
            if not isinstance(value, dict):
                raise TypeError(
                    f"{what} must be a dict with keys {self.names} like x; got {describe(value)}"
                )
            missing = [k for k in self.keys if k not in value]
            extra = [k for k in value if k not in self.keys]
            if missing or extra:
                raise ValueError(
                    f"{what} must have the keys of x {self.names}; "
                    f"missing {[str(k) for k in missing]}, unexpected {[str(k) for k in extra]}"
                )
            parts = [(k, value[k], s) for k, s in zip(self.keys, self.shapes, strict=False)]
        out = []
        for key, v, shape in parts:
            label = what if key is None else f"{what}[{key!r}]"
            arr = _asarray(v, f"{label} must be a rectangular array of real numbers like x")
            if arr.dtype.kind not in "iuf":
                raise TypeError(f"{label} must hold real numbers; got {describe(arr)}")
            if arr.shape != shape:
                hint = ""
                if arr.ndim == 2 and arr.shape[::-1] == shape:
                    hint = " (it looks transposed)"
                elif arr.size == int(np.prod(shape)):
                    hint = f" (same number of entries: reshape to {shape})"
                raise ValueError(
                    f"{label} must have shape {shape} like x; got shape {arr.shape}{hint}"
                )
            if not np.isfinite(arr).all():
                raise ValueError(f"{label} must be finite; got NaN or inf entries")
            out.append(np.asarray(arr, dtype=np.float64).ravel())
        return np.concatenate(out)

    def value_dtype(self, value) -> np.dtype:
        """The lowest float precision among the arrays of ``value``."""
        arrays = value.values() if isinstance(value, dict) else [value]
        kinds = [np.asarray(a).dtype for a in arrays]
        return np.dtype(np.float32) if np.dtype(np.float32) in kinds else np.dtype(np.float64)


def _rms(a) -> float:
    r = float(np.sqrt(np.mean(np.square(np.asarray(a, dtype=float)))))
    return r if r > 0 and np.isfinite(r) else 1.0


class Evaluator:
    """Calls ``f`` on private copies of ``theta`` and counts the calls.

    ``f`` gets views of a private buffer. After each call the buffer is compared
    with what was passed in; a difference means ``f`` modified its input, which is
    recorded (``self.mutated``) and undone before the next call.
    """

    def __init__(self, f, params: Params, progress=None):
        if not callable(f):
            raise TypeError(f"f must be callable; got {describe(f)}")
        self.f = f
        self.params = params
        self.n_evals = 0
        self.mutated: str | None = None
        self.nonfinite: str | None = None  # the first NaN/inf seen away from x
        self.out_dtype: np.dtype | None = None
        self._buf = params.theta.copy()
        self._theta_bytes = params.theta.tobytes()
        self._cbuf: np.ndarray | None = None
        self._args = params.unflatten(self._buf)
        self._cargs = None
        self.bar = None
        self.seconds = 0.0

    # ------------------------------------------------------------------ calls
    # These run once per evaluation of f: they are kept lean (no string formatting
    # unless something is wrong, byte comparison for the mutation check) so that a
    # check costs little more than the evaluations it makes.
    def _scalar(self, out, where, complex_ok: bool = False):
        if type(out) is float or isinstance(out, np.floating):
            if math.isfinite(out):
                return out
        elif isinstance(out, (numbers.Number, np.generic, np.ndarray)):
            arr = np.asarray(out)
            if arr.size != 1:
                raise ValueError(
                    f"f must return a scalar; got an array of shape {arr.shape} {where()} "
                    "(sum or average it, e.g. return J.mean())"
                )
            if arr.dtype.kind == "c" and not complex_ok:
                raise TypeError(f"f must return a real scalar; got a complex value {where()}")
            if arr.dtype.kind not in "biufc":
                raise TypeError(f"f must return a real scalar; got {describe(out)} {where()}")
            value = arr.reshape(())[()]
            if np.isfinite(value):
                return value
            out = value
        else:
            hint = " (did you forget `return`?)" if out is None else ""
            raise TypeError(f"f must return a real scalar; got {describe(out)}{hint} {where()}")
        message = f"f returned {out} {where()}"
        if self.nonfinite is None:
            self.nonfinite = message
        raise NonFiniteValue(f"{message}; f must be finite near x")

    def _call(self, args, where, complex_ok: bool = False):
        if type(args) is dict:
            # A fresh dict each call: an f that rebinds a key (p["W"] = np.array(p["W"]))
            # would otherwise cut the link to the perturbed buffer for every later call.
            args = dict(args)
        t = time.perf_counter()
        out = self.f(args)
        self.seconds += time.perf_counter() - t
        self.n_evals += 1
        if self.bar is not None:
            self.bar.update(1)
        return self._scalar(out, where, complex_ok)

    def at(self) -> float:
        """``f`` at x."""
        try:
            value = self._call(self._args, lambda: "at x")
            self.out_dtype = np.asarray(value).dtype
            return float(value)
        finally:
            self._check_mutation()

    def _check_mutation(self) -> None:
        if self._buf.tobytes() != self._theta_bytes:
            if self.mutated is None:
                j = int(np.flatnonzero(self._buf != self.params.theta)[0])
                self.mutated = self.params.entry_name(j)
            self._buf[:] = self.params.theta

    def shifted(self, j: int, step: float) -> float:
        """``f(x + step e_j)``."""
        buf = self._buf
        buf[j] = self.params.theta[j] + step
        try:
            return float(
                self._call(
                    self._args,
                    lambda: f"at x + {step:.3g} e_j for entry {self.params.entry_name(j)}",
                )
            )
        finally:
            buf[j] = self.params.theta[j]
            self._check_mutation()

    def along(self, v: np.ndarray, t: float) -> float:
        """``f(x + t v)``."""
        buf = self._buf
        np.add(self.params.theta, t * v, out=buf, casting="unsafe")
        passed = buf.tobytes()
        try:
            return float(self._call(self._args, lambda: f"at x + {t:.3g} v"))
        finally:
            if buf.tobytes() != passed and self.mutated is None:
                self.mutated = "x (along a direction)"
            buf[:] = self.params.theta

    # ------------------------------------------------------------------ complex step
    def complex_at(self, v_imag: np.ndarray | None, j: int | None = None, h: float = 0.0):
        """``f(x + i h e_j)`` or ``f(x + i v_imag)``, returned as a complex scalar.

        Raises ``NotComplexSafe`` when ``f`` visibly drops the imaginary part: it
        returns a real number, or casts complex to real (a ``ComplexWarning``, turned
        into an error for the first complex evaluations: catching warnings on every
        call would cost more than a small f).
        """
        if self._cbuf is None:
            cdtype = np.complex64 if self.params.dtype == np.float32 else np.complex128
            self._cbuf = self.params.theta.astype(cdtype)
            self._cargs = self.params.unflatten(self._cbuf)
            self._cbytes = self._cbuf.tobytes()
            self._complex_calls = 0
        cbuf = self._cbuf
        if j is not None:
            cbuf[j] = self.params.theta[j] + 1j * h
        elif v_imag is not None:
            cbuf.imag = v_imag
        where = lambda: "at a complex-perturbed x"
        try:
            if self._complex_calls < 3:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", ComplexWarning)
                    out = self._call(self._cargs, where, complex_ok=True)
            else:
                out = self._call(self._cargs, where, complex_ok=True)
            self._complex_calls += 1
        except ComplexWarning as exc:
            raise NotComplexSafe(f"f discards the imaginary part ({exc})") from None
        finally:
            if j is not None:
                cbuf[j] = self.params.theta[j]
            else:
                cbuf.imag = 0
            if cbuf.tobytes() != self._cbytes:
                if self.mutated is None:
                    self.mutated = "x (during a complex-step evaluation)"
                cbuf[:] = self.params.theta
        if type(out) is not complex and np.asarray(out).dtype.kind != "c":
            raise NotComplexSafe("f returned a real number for complex input")
        return complex(out)


class NonFiniteValue(ValueError):
    """``f`` returned NaN or inf; a check may retry with a smaller step."""


class NotComplexSafe(Exception):
    """``f`` is not analytic in complex arithmetic (abs, max, real, comparisons...)."""
