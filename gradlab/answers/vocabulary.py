"""The words a student may type, and what each one means.

One table feeds the lexer, the parser, the "unknown symbol" error and the docs
(:func:`vocabulary_table`), so the three can never disagree.
"""

from __future__ import annotations

__all__ = ["KNOWN_SYMBOLS", "vocabulary_table"]

# Single letters with a meaning of their own (the lecture's notation).
LETTERS = {
    "z": "logit: z_k = w_k^T x_i + b_k (softmax), z = w^T x + b (logistic, linear)",
    "f": "softmax probability f_k (softmax); sigma(z) (logistic); the prediction (linear)",
    "p": "same as f",
    "y": "label y_i (1..C for softmax, 0/1 for logistic, a number for linear); "
    "y_k is the one-hot entry I(y_i = k)",
    "x": "features x_i of sample i (a vector)",
    "w": "weights w_k of class k (softmax) or w (logistic, linear): a vector",
    "b": "bias b_k (softmax) or b",
    "k": "the class the derivative is taken for",
    "j": "the second class in the Jacobian df_j/dz_k, or a summation index",
    "c": "a summation index over classes",
    "l": "a summation index over classes",
    "i": "the sample index (the free i means one sample, i = 1)",
    "C": "the number of classes",
    "m": "the number of samples",
    "e": "Euler's number, e^{z_k} = exp(z_k)",
    "X": "the data matrix, one row x_i^T per sample (m×d)",
    "W": "the weights, one column w_k per class (d×C)",
    "F": "the probabilities, f_{i,k} in row i, column k (m×C)",
    "P": "same as F",
    "Y": "the one-hot labels, 𝕀(y_i = k) in row i, column k (m×C)",
    "Z": "the logits, z_{i,k} in row i, column k (m×C)",
}

# Multi-letter words of plain text (LaTeX commands are listed below).
WORDS = {
    "exp": "exponential",
    "log": "natural logarithm",
    "ln": "natural logarithm",
    "sum": "sum(body, c): sum over c = 1..C (or i = 1..m)",
    "softmax": "softmax(z)_k = f_k",
    "sigma": "sigma(z): logistic sigmoid; sigma(z)_k: softmax",
    "sigmoid": "logistic sigmoid 1/(1 + e^{-z})",
    "onehot": "onehot(y)_k = I(y = k); also one_hot",
    "one_hot": "same as onehot",
    "delta": "delta(a, b) = 1 if a = b else 0 (Kronecker delta)",
    "indicator": "indicator(y == k)",
    "I": "I(y = k): indicator",
    "yhat": "same as f (also y_hat, \\hat{y})",
    "y_hat": "same as f",
    "dot": "dot(w, x) = w^T x",
    "T": "transpose: w_k^T, X^T, X.T",
    "diag": "diag(f): the C×C matrix with f on its diagonal",
    "if": "p_k - 1 if k == y_i else p_k: a piecewise answer",
    "else": "see if",
    "otherwise": "the last branch of \\begin{cases}",
}

COMMANDS = {
    "frac": "\\frac{a}{b}",
    "sum": "\\sum_{c=1}^{C} body (the body is the product that follows)",
    "exp": "exponential",
    "log": "natural logarithm",
    "ln": "natural logarithm",
    "sigma": "\\sigma(z): sigmoid; \\sigma(z)_k: softmax",
    "delta": "\\delta_{y_i k}: Kronecker delta",
    "mathbb": "\\mathbb{I}(y_i = k), \\mathbb{1}\\{y_i = k\\}: indicator",
    "mathbf": "\\mathbf{x}: bold, same as x; \\mathbf{1}\\{...\\}: indicator",
    "boldsymbol": "same as \\mathbf",
    "vec": "same as \\mathbf",
    "mathrm": "\\mathrm{softmax}: an upright name",
    "operatorname": "\\operatorname{softmax}: an upright name",
    "text": "\\text{softmax}: an upright name",
    "hat": "\\hat{y}: the prediction, same as f",
    "cdot": "multiplication (w^T x for two vectors)",
    "times": "multiplication",
    "top": "transpose in w_k^\\top",
    "intercal": "transpose",
    "neq": "not equal: in an indicator, or a sum's index \\sum_{j \\neq k}",
    "partial": "only in a left-hand side: \\frac{\\partial J}{\\partial z_k} = ...",
    "substack": "\\sum_{\\substack{1 \\leq c \\leq C\\\\1 \\leq i \\leq m}}: SymPy's double sum",
    "leq": "only in a sum's range: 1 \\leq c \\leq C",
    "nabla": "only in a left-hand side: \\nabla_{w_k} J = ...",
    "ell": "ℓ: a loss's name, only in a left-hand side",
    "mathcal": "\\mathcal{L}: a loss's name, only in a left-hand side",
    "theta": 'θ: the parameters of CS229 (notation="cs229")',
    "phi": "φ: Bishop's features φ_n (notation=\"bishop\"); the network's activation, φ'(z^1_j)",
    "varphi": "the network's activation, \\varphi'(z^1_j) = φ′(z¹_j)",
    "tanh": "the network's tanh; \\tanh'(a) = 1 - tanh(a)^2",
    "begin": "\\begin{cases} a & k = y_i \\\\ b & \\text{otherwise} \\end{cases}",
    "end": "see \\begin",
    "left": "ignored before a bracket (also \\left. and \\middle)",
    "right": "ignored before a bracket (also \\right.)",
}

# Other spellings of a command: the lexer hands the parser the canonical one.
ALIASES = {
    "dfrac": "frac",
    "tfrac": "frac",
    "cfrac": "frac",
    "widehat": "hat",
    "bm": "boldsymbol",
    "mathds": "mathbb",
    "textrm": "text",
    "mbox": "text",
    "ast": "cdot",
    "ne": "neq",
    "le": "leq",
    "mid": "|",
    "vert": "|",
}

# dJ, dz, dW, ...: "d" then one of these names a derivative (a left-hand side, or
# deeplearning.ai's dz = a - y).
DERIVATIVE_PREFIXED = {"J", "L", "E", "z", "w", "b", "W", "Z", "f", "p", "l", "o", "a"}

# Unicode sub- and superscripts, as gradlab prints them and word processors type them.
SUBSCRIPTS = dict(zip("ᵢⱼₖₗₘₙₚₓ₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎", "ijklmnpx0123456789+-=()", strict=True))
SUPERSCRIPTS = dict(zip("ᵀ⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ", "T0123456789+-=()in", strict=True))

# Typed characters that mean the same as an ASCII spelling.
UNICODE = {
    "σ": "\\sigma",
    "δ": "\\delta",
    "𝕀": "\\mathbb{I}",
    "𝟙": "\\mathbb{1}",
    "Σ": "\\sum",
    "∑": "\\sum",
    "ŷ": "\\hat{y}",
    "·": "*",
    "⋅": "*",
    "×": "*",
    "−": "-",
    "–": "-",
    "≠": "!=",
    "⊤": "\\top",
    "∂": "\\partial",
    "∇": "\\nabla",
    "θ": "\\theta",
    "φ": "\\phi",
    "Φ": "\\Phi",
    "Θ": "\\Theta",
    "ϕ": "\\phi",
    "ℓ": "l",
    "∣": "|",
    "≡": "==",
    "⁄": "/",
    "′": "'",
}

# Shown in the error for an unknown symbol.
KNOWN_SYMBOLS = (
    "z, f, p, ŷ, y, x, w, b, k, j, c, l, i, C, m, e, σ, δ, 𝕀, exp, log, ln, sum, softmax, "
    "sigmoid, onehot, delta, indicator, dot, diag, X, W, F, P, Y, Z"
)


def vocabulary_table() -> str:
    """The accepted vocabulary as a markdown table (for the README and notebooks).

    Returns
    -------
    str
        A markdown table with one row per symbol, word, LaTeX command and
        Unicode character that :func:`gradlab.check_answer` understands.

    Examples
    --------
    >>> from gradlab.answers import vocabulary_table
    >>> table = vocabulary_table()
    >>> print(table.splitlines()[0])
    | you type | meaning |
    >>> print(next(row for row in table.splitlines() if row.startswith("| `\\\\frac")))
    | `\\frac` | \\frac{a}{b} |
    """
    rows = [(f"`{name}`", meaning) for name, meaning in LETTERS.items()]
    rows += [(f"`{name}`", meaning) for name, meaning in WORDS.items()]
    rows += [(f"`\\{name}`", meaning) for name, meaning in COMMANDS.items()]
    rows += [(f"`{char}`", f"`{same}`") for char, same in UNICODE.items()]
    rows.append(("`+ - * / ^ ** ( ) [ ] { } @ .T`",
                 "arithmetic and grouping; `[y = k]` is an indicator"))  # fmt: skip
    rows.append(("`= == != \\neq`",
                 "in an indicator, a delta, a piecewise condition, or `(y == k)` as 0/1"))  # fmt: skip
    rows.append(("`1(y = k)`, `1[y = k]`, `1\\{y = k\\}`, `1_{y = k}`",
                 "indicator, like `\\mathbb{1}`"))  # fmt: skip
    rows.append(("`0.5`, `10^{-3}`, `\\frac12`", "numbers (`1e-3` is not understood)"))
    rows += [(f"`\\{alias}`", f"same as `{_spelled(same)}`") for alias, same in ALIASES.items()]
    rows += FAMILIES
    table = ["| you type | meaning |", "|---|---|"]
    # A | inside a cell would end it: markdown wants \| there.
    table += [
        f"| {a.replace('|', chr(92) + '|')} | {b.replace('|', chr(92) + '|')} |" for a, b in rows
    ]
    return "\n".join(table)


def _spelled(command: str) -> str:
    return command if command == "|" else "\\" + command


# The notation families: forms built from the words above (one grammar, grammar.ebnf).
FAMILIES = [
    ("`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`, `\\left.`, `\\right.`, `\\middle`",
     "math delimiters and invisible brackets: skipped"),
    ("`y_kp_k`, `f_jf_k`, `\\delta_{ky_i}`",
     ("TeX's rule: an unbraced subscript is one character (y_k p_k); letters in a "
     "subscript's braces are indices (k, y_i)")),
    ("`\\frac{\\partial J}{\\partial z_k} = …`, `dJ/dz_k = …`, `∂J_i/∂z_k = …`, `\\nabla_{w_k} J = …`, `dz = …`",
     "a left-hand side: accepted when it names the topic's derivative, refused otherwise"),
    ("`x^{(i)}`, `y^{(i)}`, `f_k^{(i)}`, `x_j^{(i)}`",
     ("sample i as a superscript; x_j^{(i)} is feature j (the answer is read as one "
     "component of the vector)")),
    ("`f(x_i)`, `f_k(x_i)`, `f_{w_k, b_k}(x_i)`, `p(y = k | x_i)`, `h_θ(x)`",
     "function application (f, p, ŷ applied to x or z), never a product"),
    (("`a if k == y_i else b`, `\\begin{cases} a & k = y_i \\\\ b & \\text{otherwise} "
     "\\end{cases}`"), "piecewise answers; conditions compare indices"),
    ("`X`, `W`, `F`/`P`, `Y`, `Z`, `\\mathbf{1}`; `\\mathbf{p}`, `\\mathbf{y}`; `diag(f)`",
     ("matrices (X m×d, W d×C, F, Y, Z m×C) and class vectors; shapes are checked: "
     "`\\frac{1}{m} X^\\top (F - Y)`, `\\mathbf{1}^\\top(F - Y)/m`, `p - y`, "
     "`diag(f) - f f^T`, `softmax(W^T x_i + b)_k`")),
    ("`X.T @ (P - Y) / m`, `X.T.dot(P - Y)`, `np.exp(z[k])`, `np.sum(v)`, `(y == k)`",
     ("NumPy-style code, parsed by the same grammar, never run; `(y == k)` is 0 or 1; "
     "a statement (`-=`) is refused")),
    ("`dZ`, `dz`, `dscores` inside a matrix answer",
     ("the gradient by the logits, F − Y (CS231n's dscores includes its 1/N): "
     "`dW = \\frac{1}{m} dZ X^T`")),
    (("`h_j`, `z^1_j`, `W^2_{jk}`, `W^{(2)}_{jk}`, `W_{jk}^{[2]}`, `W^1_{lj}`, `b^1_j`, `x_l`, "
      "`x_{il}`, `x_l^{(i)}`, `\\phi'(z^1_j)`, `\\sigma'(z^1_j)`, `\\tanh'(z^1_j)`, `[z^1_j > 0]`"),
     ("the two-layer network's letters and φ′, in its index-form topics only (mlp_dw2 … "
      "mlp_backprop); z, W and b need their layer (z_j is refused); W_{jk}^2 is refused (a layer or a square?), h_j^2 is a square")),
    (("`notation=\"d2l\"`, `\"bishop\"`, `\"cs229\"`, `\"deeplearning.ai\"`, "
     "`\"cs231n\"`, `{\"S\": \"f\"}`"), "a course's letters (see `gradlab.answers.PROFILES`)"),
]  # fmt: skip
