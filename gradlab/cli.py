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


def _check(args: argparse.Namespace) -> int:
    """Grade a typed derivative: exit 0 if right, 1 if wrong, 2 if not understood."""
    from gradlab.answers import AnswerSyntaxError, check_answer

    try:
        result = check_answer(args.answer, topic=args.topic)
    except AnswerSyntaxError as exc:
        print(f"not understood: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # an unknown topic
        print(f"gradlab check: {exc}", file=sys.stderr)
        return 2
    print(result)
    return 0 if result.correct else 1


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
        "check",
        help="check a derivative you typed (LaTeX or plain text)",
        description="Check a typed derivative. Exit status: 0 right, 1 wrong, 2 not understood.",
    )
    p.add_argument("answer", help=r'the derivative, e.g. "f_k - \\mathbb{I}(y_i = k)"')
    p.add_argument(
        "--topic",
        default="softmax_dz",
        help="softmax_dz (default), softmax_dw, softmax_db, softmax_jacobian, logistic_dz, "
        "logistic_dw or linear_dw",
    )
    p.set_defaults(handler=_check)

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
