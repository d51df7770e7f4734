"""The ``gradlab`` command.

Each subcommand is a thin layer over the public API: parse the arguments,
call the library, print. Heavy modules are imported inside the handlers so
that ``gradlab --help`` stays instant.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import gradlab


def _selfcheck(args: argparse.Namespace) -> int:
    """Check eq (3) against central differences of eq (1) on a small random problem."""
    rng = np.random.default_rng(args.seed)
    m, d, C = 20, 4, 3
    X, y = rng.normal(size=(m, d)), rng.integers(0, C, size=m)
    W, b = rng.normal(size=(d, C)), rng.normal(size=C)
    J, dW, _ = gradlab.loss_and_gradient(W, b, X, y)
    h = 1e-5
    numeric = np.empty_like(W)
    for idx in np.ndindex(W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        numeric[idx] = (gradlab.loss(W + E, b, X, y) - gradlab.loss(W - E, b, X, y)) / (2 * h)
    err = np.abs(numeric - dW).max() / max(np.abs(dW).max(), 1e-12)
    ok = err < 1e-6
    print(f"softmax regression on m = {m} samples, d = {d} features, C = {C} classes")
    print(f"  J(W)               = {J:.6f}   (eq 1)")
    print(f"  max |dJ/dW| error  = {err:.2e} relative to central differences (eq 3)")
    print(f"  self-check         : {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


_GRADCHECK_BUGS = (
    "none", "missing-m", "sign-flip", "db-zeros", "no-onehot", "one-entry", "transposed",
    "permuted", "l2-twice",
)  # fmt: skip


def _gradcheck(args: argparse.Namespace) -> int:
    """Check an example student gradient (correct or with a classic bug) and print the report."""
    from gradlab.numeric import check_softmax_gradient
    from gradlab.numeric.examples import L2, STUDENT_GRADIENTS

    rng = np.random.default_rng(args.seed)
    # "transposed" only shows as a transpose (not a shape error) when W is square.
    d = args.C if args.bug == "transposed" else args.d
    X, y = rng.normal(size=(args.m, d)), rng.integers(0, args.C, size=args.m)
    W = rng.normal(scale=1 / np.sqrt(d), size=(d, args.C))
    report = check_softmax_gradient(
        STUDENT_GRADIENTS[args.bug], X, y, W=W, l2=L2 if args.bug == "l2-twice" else 0.0,
        method=args.method, mode=args.mode, n=args.n, seed=args.seed, progress=False,
    )  # fmt: skip
    print(f"student gradient: {args.bug!r} on m = {args.m}, d = {d}, C = {args.C}")
    print(report)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradlab",
        description="Derive, check and train with the softmax-regression gradient.",
    )
    parser.add_argument("--version", action="version", version=f"gradlab {gradlab.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("selfcheck", help="check the model's gradient against finite differences")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_selfcheck)

    p = sub.add_parser(
        "gradcheck",
        help="check an example softmax gradient (correct, or with a classic bug) numerically",
    )
    # The names of gradlab.numeric.examples.STUDENT_GRADIENTS, listed here so that
    # building the parser imports nothing.
    p.add_argument("--bug", choices=_GRADCHECK_BUGS, default="none")
    p.add_argument(
        "--method", choices=["auto", "complex", "richardson", "central", "forward"], default="auto"
    )
    p.add_argument("--mode", choices=["full", "sparse", "directional"], default="full")
    p.add_argument("--n", type=int, default=None, help="entries or directions (sparse/directional)")
    p.add_argument("--m", type=int, default=50, help="samples")
    p.add_argument("--d", type=int, default=4, help="features")
    p.add_argument("--C", type=int, default=3, help="classes")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_gradcheck)

    p = sub.add_parser("tour", help="the whole story: derive, check, train, plot")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_selfcheck)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
