"""Every LaTeX string gradlab.symbolic emits parses: each step through matplotlib's mathtext
(a real TeX-math parser that rejects unknown commands), and the aligned block by structure
(mathtext has no ``aligned`` environment or ``\\tag``, which are MathJax's)."""

from __future__ import annotations

import functools
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


# One parser, and each string checked once: the same string parses the same way every
# time, and the steps, rows and justifications repeat across the tests (a failing string
# raises again, uncached). Parsing lays the string out glyph by glyph, as drawing does.
PARSER = mathtext.MathTextParser("path")


@functools.cache
def parses(tex: str) -> None:
    """Raise if mathtext cannot typeset ``tex`` (it rejects unknown commands and bad braces)."""
    PARSER.parse(f"${tex}$")


def segments(source: str) -> list[tuple[bool, str]]:
    """Split text with inline math at the unescaped ``$`` signs: ``[(is_math, piece), ...]``."""
    pieces = re.split(r"(?<!\\)\$", source)
    if len(pieces) % 2 == 0:
        raise ValueError(f"an odd number of $ in {source!r}")
    return [(n % 2 == 1, piece) for n, piece in enumerate(pieces)]


@functools.cache
def valid_text_with_math(source: str) -> None:
    """Raise unless ``source`` is text with inline ``$...$`` math that renders everywhere.

    The same string goes to Jupyter Markdown, into ``\\text{...}`` of a MathJax aligned
    block and to matplotlib, so the text may hold nothing any of them reads as markup, and
    every math piece must typeset on its own and in place.
    """
    for is_math, piece in segments(source):
        if is_math:
            if not piece.strip() or not balanced(piece):
                raise ValueError(f"empty or unbalanced math ${piece}$ in {source!r}")
            parses(piece)
        elif set(piece) & set("\\{}_^&%#~*<>`"):
            raise ValueError(f"markup outside the math in {source!r}: {piece!r}")
    PARSER.parse(source)


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
        # the justification, typeset: MathJax reads $...$ inside \text{...} as math
        assert reason == f"\\text{{{step.reason_latex}}}"
        assert balanced(reason)
        valid_text_with_math(step.reason_latex)
        lhs, _, rhs = math.partition(" &= ")
        parses(f"{lhs} = {rhs}" if lhs else f"= {rhs}")
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


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
@pytest.mark.parametrize("reasons", [True, False])
@pytest.mark.parametrize("topic", ["logistic_dz", "softmax_jacobian", "softmax_dz"])
def test_figure_fits_every_text_including_the_title(topic, reasons):
    from gradlab.symbolic import render_to_figure

    fig = render_to_figure(gradlab.derive(topic), reasons=reasons)
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    texts = fig.axes[0].texts
    assert texts[0].get_text() == gradlab.derive(topic).title_latex
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


def test_justifications_and_title_are_typeset_and_valid(derivation):
    valid_text_with_math(derivation.title_latex)
    assert "$" in derivation.title_latex  # the derivative in the title is math
    for step in derivation.steps:
        valid_text_with_math(step.reason_latex)
    # the figure draws exactly these strings, with mathtext's upright indicator
    from gradlab.symbolic import render_to_figure

    drawn = {t.get_text() for t in render_to_figure(derivation).axes[0].texts}
    upright = {
        text.replace("\\mathbb{I}", "\\mathrm{𝕀}")
        for text in (derivation.title_latex, *(s.reason_latex for s in derivation.steps))
    }
    assert upright <= drawn


@pytest.mark.slow  # over half a second: typesetting, a GIF, a training run
def test_the_figure_sets_fractions_in_display_style_and_the_indicator_upright():
    from gradlab.symbolic import render_to_figure

    derivation = gradlab.derive("softmax_dz")
    texts = [t.get_text() for t in render_to_figure(derivation).axes[0].texts]
    steps = [t for t in texts if t.startswith(("$= ", "$\\dfrac"))]
    # dJ_i/dz_k on the left, 1/f_j in the chain-rule step: full-size fractions
    assert "$\\dfrac{\\partial J_{i}}{\\partial z_{k}}$" in texts
    assert any("\\dfrac{1}{f_{j}}" in t for t in steps)
    assert not any("\\frac{" in t.replace("\\dfrac{", "") for t in steps)
    assert not any("\\mathbb{I}" in t for t in texts)
    assert any("\\mathrm{𝕀}(y_{i} = k)" in t for t in steps)
    dw = [t.get_text() for t in render_to_figure(gradlab.derive("softmax_dw")).axes[0].texts]
    assert any(t.startswith("$= \\dfrac{1}{m}") for t in dw)


def test_plain_justifications_read_as_text(derivation):
    # str() and the terminal: Unicode, no TeX left over, subscripts where Unicode has them
    for text in (derivation.title, *(s.reason for s in derivation.steps)):
        assert "\\" not in text and "$" not in text, text
        assert not re.search(r"[A-Za-z]_[ijk]\b", text), text
        assert "\\frac" not in text and "mathbf" not in text


@pytest.mark.parametrize(
    "broken",
    [
        r"the sum over $j \neq k",  # unclosed math
        r"split at $j \nequal k$",  # unknown command
        r"cancel $\frac{1}{f_j$",  # unbalanced brace
        "the term f_j",  # an underscore outside the math: literal in mathtext, italics in Markdown
        r"a & b",  # an alignment tab inside \text{...} of the aligned block
        r"empty $$ math",
    ],
)
def test_broken_justifications_fail_the_checks(broken):
    with pytest.raises(ValueError):
        valid_text_with_math(broken)
    # and gradlab refuses to build a step with it
    from gradlab.symbolic import Step

    step = gradlab.derive("softmax_jacobian").steps[0]
    with pytest.raises(ValueError):
        Step.from_source(step.expr, broken, "definition")
    with pytest.raises(ValueError):
        Step(step.expr, "plain", "definition", reason_latex=broken)


def test_a_step_made_with_plain_text_is_escaped_into_valid_latex():
    from gradlab.symbolic import Step

    step = gradlab.derive("softmax_jacobian").steps[0]
    made = Step(step.expr, "f_j = e^z_j / sum_c {e^z_c} & 100% #1 ~ <*> \\ $5", "definition")
    valid_text_with_math(made.reason_latex)
    assert made.reason == "f_j = e^z_j / sum_c {e^z_c} & 100% #1 ~ <*> \\ $5"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (r"with $f_j = \exp(z_j) \,/\, \sum_c\, \exp(z_c)$", "with fⱼ = exp(zⱼ) / Σ_c exp(z_c)"),
        (r"$\partial \log f_j / \partial z_k = (1/f_j)\, \partial f_j/\partial z_k$",
         "∂log fⱼ / ∂zₖ = (1/fⱼ) ∂fⱼ/∂zₖ"),
        (r"note that $\sum_j \mathbb{I}(y_i = j) = 1$", "note that Σⱼ 𝕀(yᵢ = j) = 1"),
        (r"$(\lambda/2) \|\mathbf{W}\|^2$", "(λ/2) ‖𝐖‖²"),
        (r"$z_k = \mathbf{w}_k^\top \mathbf{x}_i + b_k$", "zₖ = 𝐰ₖᵀ𝐱ᵢ + bₖ"),
        (r"$\frac{2}{2m} = \frac{1}{m}$, $\frac{1}{f_j} f_j$", "2/(2m) = 1/m, (1/fⱼ) fⱼ"),
        (r"label $y_i \in \{0, 1\}$, topic $\mathtt{softmax\_dz}$", "label yᵢ ∈ {0, 1}, topic softmax_dz"),
        (r"$\nabla_{\mathbf{W}} J$ over $\sum_{j \neq k}$", "∇_𝐖 J over Σ_{j ≠ k}"),
    ],
)  # fmt: skip
def test_plain_reading_of_the_math(source, text):
    from gradlab.symbolic import prose

    assert prose.plain(source) == text
    valid_text_with_math(source)
