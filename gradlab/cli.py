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


def _train(args: argparse.Namespace) -> int:
    """Train on a built-in data set, print a summary, write loss and boundary figures."""
    import warnings
    from pathlib import Path

    from matplotlib.figure import Figure

    from gradlab import datasets
    from gradlab.plots import lecture_style, plot_decision_boundary, plot_loss
    from gradlab.train import DivergenceWarning, SoftmaxRegression

    if args.dataset == "iris":
        X, y = datasets.load_iris(standardized=True)
        plane = {
            "features": (2, 3),
            "feature_names": [
                "sepal length (std.)",
                "sepal width (std.)",
                "petal length (std.)",
                "petal width (std.)",
            ],
        }
    else:
        make = datasets.make_blobs if args.dataset == "blobs" else datasets.make_spirals
        try:
            X, y = make(n_samples=args.samples, seed=args.seed)
        except (TypeError, ValueError) as exc:
            print(f"gradlab train: --samples: {exc}", file=sys.stderr)
            return 2
        plane = {}
    model = SoftmaxRegression(
        optimizer=args.optimizer,
        lr=args.lr,
        epochs=args.epochs,
        batch_size=args.batch_size,
        l2=args.l2,
        seed=args.seed,
    )
    if not 0 <= args.validation < 1:
        print(
            f"gradlab train: --validation must be in [0, 1); got {args.validation}", file=sys.stderr
        )
        return 2
    # Hold out a random part of the data so the loss figure shows validation curves too.
    held_out = np.zeros(len(y), dtype=bool)
    n_val = round(args.validation * len(y))
    held_out[np.random.default_rng(args.seed).permutation(len(y))[:n_val]] = True
    validation = (X[held_out], y[held_out]) if n_val else ()
    X, y = X[~held_out], y[~held_out]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DivergenceWarning)
            model.fit(X, y, *validation)
    except (TypeError, ValueError) as exc:
        print(f"gradlab train: {exc}", file=sys.stderr)
        return 2
    m, d = X.shape
    print(
        f"{args.dataset}: m = {m} training samples ({n_val} held out for validation), "
        f"d = {d} features, C = {len(model.classes_)} classes"
    )
    print(model)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"gradlab train: cannot write the figures into {out}: {exc}", file=sys.stderr)
        return 2
    name = f"train_{args.dataset}_{args.optimizer}"
    with lecture_style():
        fig = Figure(figsize=(12.8, 4.8), layout="constrained")
        left, right = fig.subplots(1, 2)
        plot_loss(model, ax=left)
        plot_loss(model, ax=right, metric="accuracy")
        fig.savefig(out / f"{name}_loss.png")
        fig = Figure(figsize=(6.4, 5.4), layout="constrained")
        title = f"{args.dataset}, {args.optimizer}: accuracy {model.score(X, y):.0%}"
        plot_decision_boundary(model, X, y, ax=fig.subplots(), title=title, **plane)
        fig.savefig(out / f"{name}_boundary.png")
    print(f"wrote {out / (name + '_loss.png')} and {out / (name + '_boundary.png')}")
    return 1 if model.diverged_ else 0


def _figures(args: argparse.Namespace) -> int:
    """Regenerate every registered lecture figure into the output folder."""
    from gradlab.figures import FIGURES, make_figures

    if args.list:
        print("\n".join(FIGURES))
        return 0
    try:
        make_figures(args.out, args.only or None, echo=lambda path: print(f"wrote {path}"))
    except (ValueError, OSError) as exc:
        print(f"gradlab figures: {exc}", file=sys.stderr)
        return 2
    return 0


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
        STUDENT_GRADIENTS[args.bug], W, X=X, y=y, l2=L2 if args.bug == "l2-twice" else 0.0,
        method=args.method, mode=args.mode, n=args.n, seed=args.seed, progress=False,
    )  # fmt: skip
    print(f"student gradient: {args.bug!r} on m = {args.m}, d = {d}, C = {args.C}")
    print(report)
    return 0 if report.ok else 1


def _positive_int(text: str) -> int:
    """An argparse type: a whole number >= 1 (argparse names the option in its error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1; got {value}")
    return value


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


def _tour(args: argparse.Namespace) -> int:
    from gradlab.tour import tour

    try:
        tour(args.out, seed=args.seed)
    except RuntimeError as exc:
        print(f"gradlab tour: {exc}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradlab",
        description="Derive, check and train with the softmax-regression gradient.",
    )
    parser.add_argument("--version", action="version", version=f"gradlab {gradlab.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "tour", help="the whole story: derive eq (2), check gradients, train, write figures"
    )
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_tour)

    p = sub.add_parser("selfcheck", help="check the model's gradient against finite differences")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_selfcheck)

    p = sub.add_parser(
        "check",
        help="check a derivative you typed (LaTeX or plain text)",
        description="Check a typed derivative. Exit status: 0 right, 1 wrong, 2 not understood. "
        'An answer that starts with "-" needs "--" before it: gradlab check -- "-f_k + [y_i = k]"',
    )
    p.add_argument("answer", help=r'the derivative, e.g. "f_k - \\mathbb{I}(y_i = k)"')
    p.add_argument(
        "--topic",
        default="softmax_dz",
        help="softmax_dz (default), softmax_dw, softmax_db, softmax_jacobian, logistic_dz, "
        "logistic_dw or linear_dw",
    )
    p.set_defaults(handler=_check)

    p = sub.add_parser("train", help="train softmax regression and plot loss and boundary")
    p.add_argument("--dataset", choices=("blobs", "spirals", "iris"), default="blobs")
    p.add_argument(
        "--optimizer", choices=("gd", "sgd", "momentum", "nesterov", "lbfgs"), default="gd"
    )
    p.add_argument("--lr", type=float, default=0.5, help="learning rate (default 0.5)")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=None, help="mini-batch size (sgd)")
    p.add_argument("--l2", type=float, default=0.0, help="L2 penalty lambda on W")
    p.add_argument("--samples", type=int, default=300, help="points for blobs/spirals")
    p.add_argument(
        "--validation",
        type=float,
        default=0.25,
        help="fraction held out for validation curves (default 0.25)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.set_defaults(handler=_train)

    p = sub.add_parser("figures", help="regenerate every lecture figure")
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="just these figures")
    p.add_argument("--list", action="store_true", help="list the figure names and exit")
    p.set_defaults(handler=_figures)

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
    p.add_argument(
        "--n", type=_positive_int, default=None, help="entries or directions (sparse/directional)"
    )
    p.add_argument("--m", type=_positive_int, default=50, help="samples")
    p.add_argument("--d", type=_positive_int, default=4, help="features")
    p.add_argument("--C", type=_positive_int, default=3, help="classes")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=_gradcheck)

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
