"""The ``gradlab`` command.

Each subcommand is a thin layer over the public API: parse the arguments,
call the library, print. Heavy modules are imported inside the handlers so
that ``gradlab --help`` stays instant.

Exit status, for every subcommand: 0 right (the check passed), 1 wrong (the
check failed), 2 not understood (bad usage or input), 3 internal error (a bug
in gradlab, reported with its traceback).
"""

from __future__ import annotations

import argparse
import codecs
import sys
import traceback
import unicodedata

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
    """Grade a typed derivative or a derivation: exit 0 right, 1 wrong, 2 not understood."""
    from gradlab.answers import AnswerSyntaxError, check_answer, check_derivation

    if (args.answer is None) == (args.derivation is None):
        print("gradlab check: give an answer or --derivation FILE (one of them)", file=sys.stderr)
        return 2
    try:
        if args.derivation is not None:
            with open(args.derivation, encoding="utf-8") as handle:
                text = handle.read()
            result = check_derivation(text, topic=args.topic, notation=args.notation)
            print(result)
            return 0 if result.ok else (2 if not result.understood else 1)
        result = check_answer(args.answer, topic=args.topic, notation=args.notation)
    except AnswerSyntaxError as exc:
        print(f"not understood: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # an unknown topic or notation, a missing file
        print(f"gradlab check: {exc}", file=sys.stderr)
        return 2
    print(result)
    return 0 if result.correct else 1


def _train(args: argparse.Namespace) -> int:
    """Train on a built-in data set, print a summary, write loss and boundary figures."""
    import warnings
    from pathlib import Path

    from gradlab import datasets
    from gradlab.plots import lecture_figure, lecture_style, plot_decision_boundary, plot_loss
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
        _, (left, right) = lecture_figure(2, width=6.4, height=4.8)
        plot_loss(model, ax=left)
        drawn = plot_loss(model, ax=right, metric="accuracy")
        drawn.figure.savefig(out / f"{name}_loss.png")
        _, (ax,) = lecture_figure(width=6.4, height=5.4)
        title = f"{args.dataset}, {args.optimizer}: accuracy {model.score(X, y):.0%}"
        drawn = plot_decision_boundary(model, X, y, ax=ax, title=title, **plane)
        drawn.figure.savefig(out / f"{name}_boundary.png")
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


# The example gradients of gradlab.numeric.examples.STUDENT_GRADIENTS, described here
# so that building the parser imports nothing.
_GRADCHECK_BUGS = {
    "none": "the correct gradient, eq (3): dW = X^T (F - Y) / m",
    "missing-m": "forgot the 1/m average: dW and db are m times too large",
    "sign-flip": "Y - F instead of F - Y: every entry has the wrong sign",
    "db-zeros": "returns zeros for db (forgot the bias gradient)",
    "no-onehot": "F instead of F - Y: forgot to subtract the one-hot labels",
    "one-entry": "dW[0, 0] off by a relative 1e-6, every other entry right",
    "transposed": "returns dW transposed (shown with a square W, d = C)",
    "permuted": "the one-hot columns shifted by one class: labels matched to the wrong w_k",
    "l2-twice": "adds the L2 term 2*lambda*W instead of lambda*W (lambda = 0.1)",
}


def _gradcheck(args: argparse.Namespace) -> int:
    """Check an example student gradient (correct or with a classic bug) and print the report."""
    from gradlab.numeric import check_softmax_gradient
    from gradlab.numeric.examples import L2, STUDENT_GRADIENTS

    if args.bug == "list":
        print("example student gradients (gradlab gradcheck --bug NAME):")
        for name, description in _GRADCHECK_BUGS.items():
            print(f"  {name:<11} {description}")
        return 0
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


def _grade(args: argparse.Namespace) -> int:
    """Grade a submission with otter-grader; write Gradescope's results.json."""
    from gradlab.grading.gradescope import grade_submission

    try:
        results = grade_submission(args.submission, args.assignment, args.out)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"gradlab grade: {exc}", file=sys.stderr)
        return 2
    top = sum(t["max_score"] for t in results["tests"])
    for t in results["tests"]:
        print(f"  {t['name']:<14}{t['score']:>6g} / {t['max_score']:g}")
    print(f"score {results['score']:g} / {top:g}; wrote {args.out}")
    return 0


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show each option's default, unless its help already says it or it is a plain flag."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "default" in text or any(action.default is v for v in (None, False, argparse.SUPPRESS)):
            return text
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """The parser class of ``gradlab`` and of every subcommand (so each shows its defaults)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gradlab",
        description="Derive, check and train with the softmax-regression gradient.",
        epilog="Exit status: 0 right, 1 wrong (a check failed), 2 not understood (bad usage "
        "or input), 3 internal error.",
    )
    parser.add_argument("--version", action="version", version=f"gradlab {gradlab.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "tour", help="the whole story: derive eq (2), check gradients, train, write figures"
    )
    p.add_argument("--out", default="figures", help="output folder for the figures")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and the checks")
    p.set_defaults(handler=_tour)

    p = sub.add_parser(
        "selfcheck",
        help="check the model's gradient (eq 3) against finite differences of its loss (eq 1)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random problem")
    p.set_defaults(handler=_selfcheck)

    p = sub.add_parser(
        "check",
        help="check a derivative you typed (LaTeX or plain text)",
        description="Check a typed derivative. Exit status: 0 right, 1 wrong, 2 not understood, "
        '3 internal error. An answer that starts with "-" needs "--" before it: '
        'gradlab check -- "-f_k + [y_i = k]"',
    )
    p.add_argument("answer", nargs="?", help=r'the derivative, e.g. "f_k - \\mathbb{I}(y_i = k)"')
    p.add_argument(
        "--topic",
        default="softmax_dz",
        help="what the answer is the derivative of: softmax_dz, softmax_dw, softmax_db, "
        "softmax_jacobian, logistic_dz, logistic_dw or linear_dw",
    )
    p.add_argument(
        "--notation",
        default=None,
        help="a course's letters: d2l, bishop, cs229, deeplearning.ai, cs231n "
        "(default: the lecture note's own)",
    )
    p.add_argument(
        "--derivation",
        metavar="FILE",
        default=None,
        help="check a whole derivation in FILE step by step (e.g. an aligned block); "
        "default: none, check ANSWER",
    )
    p.set_defaults(handler=_check)

    p = sub.add_parser("train", help="train softmax regression and plot loss and boundary")
    p.add_argument(
        "--dataset", choices=("blobs", "spirals", "iris"), default="blobs", help="the data set"
    )
    p.add_argument(
        "--optimizer",
        choices=("gd", "sgd", "momentum", "nesterov", "lbfgs"),
        default="gd",
        help="the training method",
    )
    p.add_argument("--lr", type=float, default=0.5, help="learning rate")
    p.add_argument("--epochs", type=int, default=200, help="passes over the training data")
    p.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="mini-batch size for sgd, momentum and nesterov (default: 32 for sgd, the whole "
        "training set for momentum and nesterov; gd and lbfgs always use the whole set)",
    )
    p.add_argument("--l2", type=float, default=0.0, help="L2 penalty lambda on W")
    p.add_argument(
        "--samples", type=int, default=300, help="points for blobs and spirals (iris has 150)"
    )
    p.add_argument(
        "--validation",
        type=float,
        default=0.25,
        help="fraction held out for validation curves",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the data, split and training")
    p.add_argument("--out", default="figures", help="output folder for the figures")
    p.set_defaults(handler=_train)

    p = sub.add_parser("figures", help="regenerate every lecture figure")
    p.add_argument("--out", default="figures", help="output folder")
    p.add_argument(
        "--only", nargs="+", metavar="NAME", help="just these figures (default: all; see --list)"
    )
    p.add_argument("--list", action="store_true", help="list the figure names and exit")
    p.set_defaults(handler=_figures)

    p = sub.add_parser(
        "gradcheck",
        help="check an example softmax gradient (correct, or with a classic bug) numerically",
    )
    p.add_argument(
        "--bug",
        choices=[*_GRADCHECK_BUGS, "list"],
        default="none",
        metavar="NAME",
        help=f"the example gradient to check: {', '.join(_GRADCHECK_BUGS)}; "
        "'--bug list' says what each bug is",
    )
    p.add_argument(
        "--method",
        choices=["auto", "complex", "richardson", "central", "forward"],
        default="auto",
        help="finite-difference method (auto: complex step where f allows it)",
    )
    p.add_argument(
        "--mode",
        choices=["full", "sparse", "directional"],
        default="full",
        help="check every entry, a random sample of entries, or random directions",
    )
    p.add_argument(
        "--n",
        type=_positive_int,
        default=None,
        help="entries (sparse) or directions (directional) to check "
        "(default: 20 entries or 10 directions)",
    )
    p.add_argument("--m", type=_positive_int, default=50, help="samples")
    p.add_argument("--d", type=_positive_int, default=4, help="features")
    p.add_argument("--C", type=_positive_int, default=3, help="classes")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and the checks")
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

    p = sub.add_parser(
        "grade", help="grade a submission with otter-grader; write Gradescope's results.json"
    )
    p.add_argument("submission", help="the student's notebook")
    p.add_argument(
        "--assignment", required=True, metavar="DIR",
        help="otter-assign output (with autograder/*.zip) or the folder of the master notebook "
        "(required, no default)",
    )  # fmt: skip
    p.add_argument("--out", default="results.json", help="results file (default results.json)")
    p.set_defaults(handler=_grade)

    return parser


# Transliterations for a terminal that cannot show gradlab's notation (stdout not UTF-8):
# the lecture's symbols by name, subscripts as _i, anything else by its compatibility form.
_ASCII = {
    "𝕀": "I", "σ": "sigma", "δ": "delta", "λ": "lambda", "Σ": "sum", "∑": "sum", "∂": "d",
    "−": "-", "·": "*", "×": "x", "∈": " in ", "≠": "!=", "≤": "<=", "≥": ">=", "≈": "~",
    "→": "->", "⇒": "=>", "√": "sqrt", "∞": "inf", "ᵀ": "^T", "✓": "[ok]", "✗": "[x]",
    "─": "-", "│": "|", "…": "...", "‖": "||", "“": '"', "”": '"', "‘": "'", "’": "'",
}  # fmt: skip
_SUBSCRIPTS = "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₀₁₂₃₄₅₆₇₈₉₊₋"
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁱⁿ"


def _ascii_replace(error: UnicodeError) -> tuple[str, int]:
    text = error.object[error.start : error.end]
    out = []
    for char in text:
        if char in _ASCII:
            out.append(_ASCII[char])
            continue
        plain = unicodedata.normalize("NFKC", char)
        if not plain.isascii():
            plain = "?"
        if char in _SUBSCRIPTS or char in _SUPERSCRIPTS:
            plain = ("_" if char in _SUBSCRIPTS else "^") + plain
        out.append(plain)
    return "".join(out), error.end


codecs.register_error("gradlab-ascii", _ascii_replace)


def _readable_output() -> None:
    """Let stdout and stderr print gradlab's notation on any terminal, transliterated if need be."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "𝕀σᵢ−∂Σ✓─".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="gradlab-ascii")


def main(argv: list[str] | None = None) -> int:
    _readable_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except Exception:  # noqa: BLE001 -- a bug in gradlab is not a wrong answer: never exit 1
        traceback.print_exc()
        print(
            f"gradlab {args.command}: internal error (exit status 3); please report it with "
            "the traceback above",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
