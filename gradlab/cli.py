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


def _derive(args: argparse.Namespace) -> int:
    """Print a step-by-step derivation (Unicode, or LaTeX with --latex), or list the topics."""
    from gradlab import symbolic

    if args.list or args.topic is None:
        print("topics (gradlab derive TOPIC [--classes C] [--l2] [--latex] [--verify]):")
        for name, description in symbolic.derivations().items():
            print(f"  {name:<17} {description}")
        return 0
    try:
        derivation = symbolic.derive(args.topic, n_classes=args.classes, l2=args.l2)
    except (TypeError, ValueError) as exc:
        print(f"gradlab derive: error: {exc}", file=sys.stderr)
        return 2
    print(derivation.to_latex() if args.latex else derivation)
    if args.verify:
        report = derivation.verify()
        print()
        print(report)
        return 0 if report.ok else 1
    return 0


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

    p = sub.add_parser("derive", help="derive a gradient step by step with SymPy (eq 2, eq 3, ...)")
    p.add_argument("topic", nargs="?", help="what to derive; omit (or --list) to list the topics")
    p.add_argument(
        "--classes",
        type=int,
        default=None,
        metavar="C",
        help="write the derivation out for C classes (default: a general C)",
    )
    p.add_argument("--l2", action="store_true", help="add the L2 penalty (lambda/2)||W||^2")
    p.add_argument("--latex", action="store_true", help="print LaTeX instead of Unicode")
    p.add_argument("--verify", action="store_true", help="check every step and print verdicts")
    p.add_argument("--list", action="store_true", help="list the topics")
    p.set_defaults(handler=_derive)

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
