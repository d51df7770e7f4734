"""Every LaTeX string gradlab.symbolic emits parses: each step through matplotlib's mathtext
(a real TeX-math parser that rejects unknown commands), and the aligned block by structure
(mathtext has no ``aligned`` environment or ``\\tag``, which are MathJax's)."""

from __future__ import annotations

import io
import re

import pytest

pytest.importorskip("sympy")
mathtext = pytest.importorskip("matplotlib.mathtext")

import gradlab

VARIANTS = [
    ("softmax_dz", None, False),
    ("softmax_dz", 3, False),
    ("softmax_dw", None, False),
    ("softmax_dw", 4, True),
    ("softmax_jacobian", None, False),
    ("softmax_jacobian", 2, False),
    ("logistic_dz", None, False),
    ("logistic_dw", None, False),
    ("logistic_dw", None, True),
    ("linear_dw", None, False),
    ("linear_dw", None, True),
]


def parses(tex: str) -> None:
    """Raise if mathtext cannot typeset ``tex`` (it rejects unknown commands and bad braces)."""
    mathtext.math_to_image(f"${tex}$", io.BytesIO(), format="png", dpi=30)


def balanced(tex: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: f"{v[0]}-C{v[1]}-l2{v[2]}")
def derivation(request):
    topic, n_classes, l2 = request.param
    return gradlab.derive(topic, n_classes=n_classes, l2=l2)


def test_every_step_is_valid_math(derivation):
    for step in derivation.steps:
        assert balanced(step.latex), step.latex
        parses(step.latex)
        assert "\\left(" not in step.latex or step.latex.count("\\left") == step.latex.count(
            "\\right"
        )


def test_mathtext_rejects_what_it_does_not_know():
    # the check above is only worth something if the parser is strict
    with pytest.raises(ValueError):
        parses(r"\notacommand{x}")
    with pytest.raises(ValueError):
        parses(r"\frac{1}{f_{j}")


def test_aligned_block_structure(derivation):
    tex = derivation.to_latex()
    assert tex.startswith("\\begin{aligned}\n")
    body, _, tail = tex.removeprefix("\\begin{aligned}\n").partition("\n\\end{aligned}")
    assert tail == (f" \\tag{{{derivation.tag}}}" if derivation.tag else "")
    assert balanced(tex)
    rows = body.split(" \\\\\n")
    assert len(rows) == len(derivation.steps)
    for row, step in zip(rows, derivation.steps, strict=True):
        math, _, reason = row.partition(" && ")
        assert math.count("&") == 1 and "&=" in math, row
        assert reason == f"\\text{{{step.rule}}}"
        lhs, _, rhs = math.partition(" &= ")
        parses(f"{lhs} = {rhs}" if lhs else f"= {rhs}")
        parses(reason)
    # a new left-hand side starts a row; continued rows leave it empty, as in the lecture
    starts = [not row.startswith(" &=") for row in rows]
    lhs_changes = [
        n == 0 or s.lhs != derivation.steps[n - 1].lhs for n, s in enumerate(derivation.steps)
    ]
    assert starts == lhs_changes


def test_jupyter_latex_is_display_math(derivation):
    out = derivation._repr_latex_()
    assert out.startswith("$$\n") and out.endswith("\n$$")
    assert out.count("\\begin{aligned}") == 1 == out.count("\\end{aligned}")


def test_lecture_symbols_are_used():
    tex = gradlab.derive("softmax_dz").to_latex()
    for symbol in (
        "\\mathbb{I}(y_{i} = k)",
        "f_{k}",
        "z_{k}",
        "\\sum_{j=1}^{C}",
        "\\frac{1}{f_{j}}",
    ):
        assert symbol in tex
    eq3 = gradlab.derive("softmax_dw").to_latex()
    for symbol in (
        "\\mathbf{w}_{k}",
        "\\mathbf{x}_{i}",
        "b_{k}",
        "\\frac{1}{m}",
        "\\sum_{i=1}^{m}",
    ):
        assert symbol in eq3


@pytest.mark.parametrize("reasons", [True, False])
@pytest.mark.parametrize("topic", ["logistic_dz", "softmax_jacobian", "softmax_dz"])
def test_figure_fits_every_text_including_the_title(topic, reasons):
    from gradlab.symbolic import render_to_figure

    fig = render_to_figure(gradlab.derive(topic), reasons=reasons)
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    texts = fig.axes[0].texts
    assert texts[0].get_text() == gradlab.derive(topic).title
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.y0 >= 0, text.get_text()
        assert box.x1 <= width and box.y1 <= height, text.get_text()


@pytest.mark.parametrize("dpi", [60, 90, 200])
def test_saved_image_has_a_clean_border_at_any_dpi(tmp_path, dpi):
    np = pytest.importorskip("numpy")
    Image = pytest.importorskip("PIL.Image")
    path = gradlab.derive("logistic_dz").to_image(tmp_path / "d.png", dpi=dpi, reasons=False)
    pixels = np.asarray(Image.open(path).convert("L"))
    border = np.concatenate([pixels[:4].ravel(), pixels[-4:].ravel(),
                             pixels[:, :4].ravel(), pixels[:, -4:].ravel()])  # fmt: skip
    assert border.min() == 255  # no glyph touches (or is cut by) the edge
