"""The notation families of issue 11, as a table of forms with their exact verdicts.

Each row is (family, form, topic, notation, expected) with expected one of
"right" (check_answer says correct), "wrong" (understood, graded wrong) or
"refused" (AnswerSyntaxError). The expected verdicts were decided by hand from
the mathematics, not by running gradlab. A false accept is a "wrong" or
"refused" form graded correct; a false reject is a "right" form graded wrong or
refused. Run this file to print the counts per family:

    PYTHONPATH=. python tests/test_answers_notation_table.py
"""

from __future__ import annotations

import collections
import sys

import pytest

from gradlab.answers import AnswerSyntaxError, check_answer

DZ, DW, DB, JAC = "softmax_dz", "softmax_dw", "softmax_db", "softmax_jacobian"
LDZ, LDW, LIN = "logistic_dz", "logistic_dw", "linear_dw"
R, W, X = "right", "wrong", "refused"

FORMS = [
    # ---------------------------------------------------------------- TeX as people type it
    ("tex", r"p_k - y_k", DZ, None, R),
    ("tex", r"p_k-y_k", DZ, None, R),
    ("tex", r"$p_k - y_k$", DZ, None, R),
    ("tex", r"$$p_k - y_k$$", DZ, None, R),
    ("tex", r"\(p_k - y_k\)", DZ, None, R),
    ("tex", r"\[p_k - y_k\]", DZ, None, R),
    ("tex", r"f_k - \delta_{ky_i}", DZ, None, R),
    ("tex", r"f_k - \delta_{y_ik}", DZ, None, R),
    ("tex", r"\dfrac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}} - y_k", DZ, None, R),
    ("tex", r"\tfrac{e^{z_k}}{\sum_c e^{z_c}} - \mathbb{1}\{y_i = k\}", DZ, None, R),
    ("tex", r"\widehat{y}_k - y_k", DZ, None, R),
    ("tex", r"\mathrm{softmax}(z)_k - y_k", DZ, None, R),
    ("tex", r"\operatorname{softmax}(\mathbf{z})_k - \mathbb{I}(y_i = k)", DZ, None, R),
    ("tex", r"\boldsymbol{f}_k - y_k", DZ, None, R),
    ("tex", r"\bm{p}_k - y_k", DZ, None, R),
    ("tex", r"\left. p_k - y_k \right.", DZ, None, R),
    ("tex", r"\left( p_k - y_k \right)", DZ, None, R),
    ("tex", r"\left[ p_k - \mathbb{I}(y_i = k) \right]", DZ, None, R),
    ("tex", r"p_k - \mathbb{I}\left(y_i = k\right)", DZ, None, R),
    ("tex", r"p_k - \mathbb{I}\{y_i = k\}", DZ, None, R),
    ("tex", r"-\left(y_k - p_k\right)", DZ, None, R),
    ("tex", r"\frac{\exp(z_k)}{\sum_{c} \exp(z_c)} - \delta_{k y_i}", DZ, None, R),
    ("tex", r"e^{z_k}/\sum_c e^{z_c} - y_k", DZ, None, R),
    ("tex", r"f_j\delta_{jk} - f_jf_k", JAC, None, R),
    ("tex", r"f_j \cdot (\delta_{jk} - f_k)", JAC, None, R),
    ("tex", r"\left(f_j\right) \cdot \left(\delta_{jk} - f_k\right)", JAC, None, R),
    ("tex", r"\frac{1}{m}\sum_{i=1}^{m}\left(f_k - y_k\right)\cdot\mathbf{x}_i", DW, None, R),
    ("tex", r"\frac{1}{m}\sum_{i=1}^{m}\left(f_k - y_k\right) \middle. \mathbf{x}_i", DW, None, R),
    ("tex", r"y_kp_k", DZ, None, W),
    ("tex", r"p_k - y_kp_k", DZ, None, W),
    ("tex", r"\dfrac{e^{z_k}}{\sum_c e^{z_c}}", DZ, None, W),
    ("tex", r"\left. y_k - p_k \right.", DZ, None, W),
    ("tex", r"\widehat{y}_k + y_k", DZ, None, W),
    ("tex", r"\mathrm{softmax}(z)_k", DZ, None, W),
    ("tex", r"f_jf_k", JAC, None, W),
    ("tex", r"-f_jf_k", JAC, None, W),
    ("tex", r"\left(f_k - y_k\right)\cdot\left(\mathbf{x}_i\right)", DW, None, W),
    ("tex", r"f_k - \delta_{jk}", DZ, None, X),
    ("tex", r"p_k - y_k \right)", DZ, None, X),
    ("tex", r"\mathrm{softplus}(z)_k", DZ, None, X),
    ("tex", r"\frac{1}{2}\mathbf{q}", DZ, None, X),
    ("tex", r"p_k - \mathbb{I}(y_i = k", DZ, None, X),
    ("tex", r"\dfrac{e^{z_k}}{}", DZ, None, X),
    ("tex", r"\begin{pmatrix} f_1 \end{pmatrix}", DZ, None, X),
    # ---------------------------------------------------------------- a typed left-hand side
    ("lhs", r"\frac{\partial J}{\partial z_k} = f_k - y_k", DZ, None, R),
    ("lhs", r"\frac{\partial J_i}{\partial z_k} = f_k - \mathbb{I}(y_i = k)", DZ, None, R),
    ("lhs", r"\dfrac{\partial J_i}{\partial z_k} = p_k - y_k", DZ, None, R),
    ("lhs", r"dJ/dz_k = p_k - y_k", DZ, None, R),
    ("lhs", r"dJ_i/dz_k = p_k - y_k", DZ, None, R),
    ("lhs", r"∂J/∂z_k = f_k - y_k", DZ, None, R),
    ("lhs", r"\partial J / \partial z_k = f_k - y_k", DZ, None, R),
    ("lhs", r"\frac{dJ}{dz_k} = f_k - y_k", DZ, None, R),
    ("lhs", r"\frac{\partial L}{\partial z_k} = f_k - y_k", DZ, None, R),
    ("lhs", r"\frac{\partial \ell}{\partial z_k} = f_k - y_k", DZ, None, R),
    (
        "lhs",
        r"\frac{\partial J}{\partial \mathbf{w}_k} = \frac{1}{m}\sum_{i=1}^m (f_k - y_k)\mathbf{x}_i",
        DW,
        None,
        R,
    ),
    ("lhs", r"\frac{\partial J}{\partial b_k} = \frac{1}{m}\sum_i (f_k - y_k)", DB, None, R),
    ("lhs", r"\frac{\partial f_j}{\partial z_k} = f_j(\delta_{jk} - f_k)", JAC, None, R),
    ("lhs", r"\frac{\partial J}{\partial z} = \sigma(z) - y", LDZ, None, R),
    ("lhs", r"dJ/dw = \frac{1}{m}\sum_i (\sigma(z_i) - y_i) x_i", LDW, None, R),
    ("lhs", r"\frac{\partial J}{\partial W} = \frac{1}{m} X^\top (F - Y)", DW, None, R),
    ("lhs", r"\frac{\partial J}{\partial z_k} = f_k - y_k.", DZ, None, R),
    ("lhs", r"\frac{\partial J_i}{\partial z_k} &= f_k - y_k", DZ, None, R),
    ("lhs", r"\nabla_{w_k} J = \frac{1}{m}\sum_i (f_k - y_k) x_i", DW, None, R),
    ("lhs", r"∇_W J = X^T(\hat{Y} - Y)/m", DW, None, R),
    ("lhs", r"\nabla_{z} J = \mathbf{p} - \mathbf{y}", DZ, None, R),
    ("lhs", r"\nabla_{b_k} J = \frac{1}{m}\sum_i (f_k - y_k) x_i", DW, None, X),
    ("lhs", r"\nabla_{z} J = \mathbf{y} - \mathbf{p}", DZ, None, W),
    ("lhs", r"\frac{\partial J}{\partial z_k} = y_k - f_k", DZ, None, W),
    ("lhs", r"dJ/dz_k = f_k", DZ, None, W),
    ("lhs", r"\frac{\partial J}{\partial \mathbf{w}_k} = (f_k - y_k)\mathbf{x}_i", DW, None, W),
    ("lhs", r"\frac{\partial J}{\partial w_k} = f_k - y_k", DZ, None, X),
    ("lhs", r"dJ/db_k = f_k - y_k", DZ, None, X),
    ("lhs", r"\frac{\partial J}{\partial z_j} = f_k - y_k", DZ, None, X),
    ("lhs", r"\frac{\partial J_i}{\partial \mathbf{w}_k} = (f_k - y_k)x_i", DW, None, X),
    ("lhs", r"\frac{\partial f_j}{\partial z_k} = f_k - y_k", DZ, None, X),
    ("lhs", r"\frac{\partial J}{\partial x_i} = f_k - y_k", DZ, None, X),
    ("lhs", r"grad = f_k - y_k", DZ, None, X),
    ("lhs", r"y_i = k", DZ, None, X),
    ("lhs", r"f_k - y_k = \frac{\partial J}{\partial z_k}", DZ, None, X),
    # ---------------------------------------------------------------- sample superscripts
    (
        "sample",
        r"\frac{1}{m}\sum_{i=1}^m (f_k^{(i)} - \mathbb{I}(y^{(i)} = k)) x^{(i)}",
        DW,
        None,
        R,
    ),
    ("sample", r"\frac{1}{m}\sum_{i=1}^{m} (p_k(x^{(i)}) - 1\{y^{(i)} = k\}) x^{(i)}", DW, None, R),
    ("sample", r"f_k - \mathbb{I}(y^{(i)} = k)", DZ, None, R),
    ("sample", r"f_k^{(i)} - y_k^{(i)}", DZ, None, R),
    ("sample", r"\frac{1}{m}\sum_{i=1}^m (f_k - y_k) x_j^{(i)}", DW, None, R),
    (
        "sample",
        r"\frac{1}{m}\sum_{i=1}^m (\sigma(w^\top x^{(i)} + b) - y^{(i)}) x^{(i)}",
        LDW,
        None,
        R,
    ),
    ("sample", r"\frac{1}{m}\sum_i (\sigma(z^{(i)}) - y^{(i)}) x_j^{(i)}", LDW, None, R),
    ("sample", r"\frac{1}{m}\sum_{i=1}^m (w^T x^{(i)} - y^{(i)}) x^{(i)}", LIN, None, R),
    ("sample", r"\sum_{i=1}^m (f_k^{(i)} - \mathbb{I}(y^{(i)} = k)) x^{(i)}", DW, None, W),
    ("sample", r"(f_k - y_k) x^{(i)}", DW, None, W),
    ("sample", r"\frac{1}{m}\sum_i (y^{(i)} - \sigma(z^{(i)})) x^{(i)}", LDW, None, W),
    ("sample", r"\sum_{i=1}^m (w^T x^{(i)} - y^{(i)}) x^{(i)}", LIN, None, W),
    ("sample", r"x^{(i)}", DZ, None, W),
    ("sample", r"\frac{1}{m}\sum_i (f_j - y_j) x_j^{(i)}", DW, None, X),
    ("sample", r"f_{i,k}^{(i)} - y_k", DZ, None, X),
    ("sample", r"f_k^{i} - y_k", DZ, None, X),
    ("sample", r"f_k^{(j)} - y_k", DZ, None, X),
    # ---------------------------------------------------------------- function application
    ("application", r"f_k(x_i) - y_k", DZ, None, R),
    ("application", r"p_k(\mathbf{x}_i) - \mathbb{I}(y_i = k)", DZ, None, R),
    ("application", r"f(x_i)_k - y_k", DZ, None, R),
    ("application", r"softmax(z)_k - y_k", DZ, None, R),
    ("application", r"\sigma(\mathbf{z})_k - y_k", DZ, None, R),
    ("application", r"f_{\mathbf{w}_k, b_k}(\mathbf{x}_i) - \mathbb{I}(y_i = k)", DZ, None, R),
    ("application", r"p(y = k | x_i) - \mathbb{I}(y_i = k)", DZ, None, R),
    ("application", r"p(y = k \mid \mathbf{x}_i) - y_k", DZ, None, R),
    ("application", r"\sigma(w^\top x_i + b) - y_i", LDZ, None, R),
    ("application", r"\sigma(\mathbf{w}^\top \mathbf{x} + b) - y", LDZ, None, R),
    ("application", r"f(x_i) - y_i", LDZ, None, R),
    ("application", r"softmax(z)_k - onehot(y)_k", DZ, None, R),
    ("application", r"\frac{1}{m}\sum_i (f_k(x_i) - y_k) x_i", DW, None, R),
    ("application", r"f_k(x_i)", DZ, None, W),
    ("application", r"f_k(1 - f_k)", DZ, None, W),
    ("application", r"p(y = k | x_i)", DZ, None, W),
    ("application", r"\sigma(w^\top x_i) - y_i", LDZ, None, W),
    ("application", r"f_k(x_i)(1 - f_k(x_i))", DZ, None, W),
    ("application", r"\sigma(z)(1 - \sigma(z))", LDZ, None, W),
    ("application", r"g(x_i) - y_k", DZ, None, X),
    ("application", r"softmax(x_i)_k - y_k", DZ, None, X),
    ("application", r"p(y = k | z_k) - y_k", DZ, None, X),
    ("application", r"p(y_i | x_i) - y_k", DZ, None, X),
    # ---------------------------------------------------------------- piecewise answers
    ("piecewise", r"p_k - 1 if k = y_i else p_k", DZ, None, R),
    ("piecewise", r"p_k - 1 if k == y_i else p_k", DZ, None, R),
    ("piecewise", r"p_k - 1 if y_i == k else p_k", DZ, None, R),
    ("piecewise", r"p_k if k != y_i else p_k - 1", DZ, None, R),
    (
        "piecewise",
        r"\begin{cases} p_k - 1 & k = y_i \\ p_k & \text{otherwise} \end{cases}",
        DZ,
        None,
        R,
    ),
    (
        "piecewise",
        r"\begin{cases} f_k - 1 & \text{if } k = y_i \\ f_k & \text{if } k \neq y_i \end{cases}",
        DZ,
        None,
        R,
    ),
    ("piecewise", r"\begin{cases} f_k - 1, & y_i = k \\ f_k, & y_i \ne k \end{cases}", DZ, None, R),
    (
        "piecewise",
        r"\begin{cases} f_k - 1 & \text{if } y_i = k, \\ f_k & \text{otherwise.} \end{cases}",
        DZ,
        None,
        R,
    ),
    ("piecewise", r"f_j(1 - f_j) if j == k else -f_j f_k", JAC, None, R),
    (
        "piecewise",
        r"\begin{cases} f_k(1 - f_k) & j = k \\ -f_j f_k & j \neq k \end{cases}",
        JAC,
        None,
        R,
    ),
    ("piecewise", r"p_k - 1 if k = y_i else 1 - p_k", DZ, None, W),
    ("piecewise", r"p_k if k = y_i else p_k - 1", DZ, None, W),
    (
        "piecewise",
        r"\begin{cases} 1 - p_k & k = y_i \\ p_k & \text{otherwise} \end{cases}",
        DZ,
        None,
        W,
    ),
    ("piecewise", r"f_k(1 - f_k) if j == k else f_j f_k", JAC, None, W),
    ("piecewise", r"p_k - 1 if k = y_i", DZ, None, X),
    ("piecewise", r"\begin{cases} p_k - 1 & k = y_i \end{cases}", DZ, None, X),
    ("piecewise", r"\begin{cases} p_k - 1 & k = y_i \\ p_k & k = 1 \end{cases}", DZ, None, X),
    ("piecewise", r"p_k - 1 if p_k else p_k", DZ, None, X),
    (
        "piecewise",
        r"\begin{cases} p_k - 1 & k = y_i \\ p_k & \text{otherwise} \end{cases} + 1",
        DZ,
        None,
        X,
    ),
    # ---------------------------------------------------------------- matrix and vector forms
    ("matrix", r"\frac{1}{m} X^\top (F - Y)", DW, None, R),
    ("matrix", r"X^T(P - Y)/m", DW, None, R),
    ("matrix", r"\frac{1}{m}X^{\top}(P - Y)", DW, None, R),
    ("matrix", r"\frac{1}{m} X^T (\mathrm{softmax}(Z) - Y)", DW, None, R),
    ("matrix", r"X^\top (F - Y) / m", DW, None, R),
    ("matrix", r"\frac{1}{m} X^\top F - \frac{1}{m} X^\top Y", DW, None, R),
    ("matrix", r"\mathbf{p} - \mathbf{y}", DZ, None, R),
    ("matrix", r"\boldsymbol{f} - \boldsymbol{y}", DZ, None, R),
    ("matrix", r"softmax(\mathbf{z}) - \mathbf{y}", DZ, None, R),
    ("matrix", r"\operatorname{diag}(\mathbf{f}) - \mathbf{f}\mathbf{f}^\top", JAC, None, R),
    ("matrix", r"\mathrm{diag}(\mathbf{p}) - \mathbf{p}\mathbf{p}^T", JAC, None, R),
    ("matrix", r"\mathbf{1}^\top(F - Y)/m", DB, None, R),
    ("matrix", r"\frac{1}{m}\mathbf{1}^T (P - Y)", DB, None, R),
    ("matrix", r"\frac{1}{m}(F - Y)^\top \mathbf{1}", DB, None, R),
    ("matrix", r"\frac{1}{m} X^\top (\sigma(X w + b) - Y)", LDW, None, R),
    ("matrix", r"\frac{1}{m} X^\top (F - Y)", LDW, None, R),
    ("matrix", r"\frac{1}{m} X^\top (X w - Y)", LIN, None, R),
    ("matrix", r"\frac{1}{m} X (A - Y)^\top", LDW, "deeplearning.ai", R),
    ("matrix", r"X^\top (\sigma(X w + b) - Y)", LDW, None, W),
    ("matrix", r"\frac{1}{m} X^\top (Y - \sigma(X w + b))", LDW, None, W),
    ("matrix", r"X^\top (X w - Y)", LIN, None, W),
    ("matrix", r"\frac{1}{m} (A - Y) X^\top", LDW, "deeplearning.ai", X),
    ("matrix", r"\frac{1}{m} X (\sigma(X w + b) - Y)", LDW, None, X),
    ("matrix", r"\frac{1}{m} X^\top (\sigma(Xw + b) - Y)", LDW, None, X),
    ("matrix", r"\text{softmax}(W^\top x_i + b)_k - y_k", DZ, None, R),
    ("matrix", r"softmax(\mathbf{W}^\top \mathbf{x}_i + \mathbf{b}) - \mathbf{y}", DZ, None, R),
    ("matrix", r"\mathbf{p}_i - \mathbf{y}_i", DZ, None, R),
    ("matrix", r"(\mathbf{1}^\top \mathbf{y}) \mathbf{p} - \mathbf{y}", DZ, None, R),
    ("matrix", r"\mathbf{p} - \mathbf{y} + (\mathbf{p}^\top \mathbf{y}) \mathbf{p}", DZ, None, W),
    ("matrix", r"softmax(W^T x)_k - y_k", DZ, None, W),
    ("matrix", r"softmax(W x_i + b)_k - y_k", DZ, None, X),
    ("matrix", r"X^\top (F - Y)", DW, None, W),
    ("matrix", r"\frac{1}{m} X^\top (Y - F)", DW, None, W),
    ("matrix", r"\frac{1}{m} X^\top F", DW, None, W),
    ("matrix", r"\mathbf{y} - \mathbf{p}", DZ, None, W),
    ("matrix", r"\mathbf{f}\mathbf{f}^\top - \operatorname{diag}(\mathbf{f})", JAC, None, W),
    ("matrix", r"\operatorname{diag}(\mathbf{f})", JAC, None, W),
    ("matrix", r"\mathbf{1}^\top(F - Y)", DB, None, W),
    ("matrix", r"(F - Y)^\top X / m", DW, None, X),
    ("matrix", r"X (F - Y)/m", DW, None, X),
    ("matrix", r"X^\top (F - Y) + Y", DW, None, X),
    ("matrix", r"\mathbf{p} - \mathbf{y}", DW, None, X),
    ("matrix", r"X^\top * (F - Y)/m", DW, None, X),
    ("matrix", r"\operatorname{diag}(\mathbf{f}) - \mathbf{f}^\top\mathbf{f}", JAC, None, X),
    ("matrix", r"F - Y", DZ, None, X),
    ("matrix", r"\frac{1}{m} X^\top (\sigma(Z) - Y)", DW, None, X),
    ("matrix", r"X^\top X", DW, None, X),
    # ---------------------------------------------------------------- NumPy-style code
    ("numpy", r"X.T @ (P - Y) / m", DW, None, R),
    ("numpy", r"X.T.dot(P - Y) / m", DW, None, R),
    ("numpy", r"X.T.dot(probs - Y) / N", DW, "cs231n", R),
    ("numpy", r"X.T @ (probs - Y) / N", DW, "cs231n", R),
    ("numpy", r"np.exp(z[k]) / np.sum(np.exp(z)) - (y == k)", DZ, None, R),
    ("numpy", r"np.exp(z[k]) / np.sum(np.exp(z)) - (k == y_i)", DZ, None, R),
    ("numpy", r"exp(z[k])/sum(exp(z)) - (y == k)", DZ, None, R),
    ("numpy", r"numpy.exp(z[k]) / numpy.sum(numpy.exp(z)) - (y == k)", DZ, None, R),
    ("numpy", r"p[k] - (y == k)", DZ, None, R),
    ("numpy", r"f[k] - (y_i == k)", DZ, None, R),
    ("numpy", r"f_j*((j == k) - f_k)", JAC, None, R),
    ("numpy", r"dW = X.T @ (P - Y) / m", DW, None, R),
    ("numpy", r"np.exp(z[k]) / np.sum(np.exp(z))", DZ, None, W),
    ("numpy", r"p[k] - (y != k)", DZ, None, W),
    ("numpy", r"X.T @ (P - Y)", DW, None, W),
    ("numpy", r"X.T @ (Y - P) / m", DW, None, W),
    ("numpy", r"(y == k) - p[k]", DZ, None, W),
    ("numpy", r"dscores[range(N), y] -= 1", DZ, None, X),
    ("numpy", r"P[range(N), y] -= 1", DW, None, X),
    ("numpy", r"grad = X.T @ (P - Y) / m", DW, None, X),
    ("numpy", r"X.T * (P - Y) / m", DW, None, X),
    ("numpy", r"probs - Y", DZ, None, X),
    ("numpy", r"X.T @ (P - Y) / N", DW, None, X),
    ("numpy", r"z.exp()", DZ, None, X),
    ("numpy", r"X.shape[0]", DW, None, X),
    ("numpy", r"__import__('os')", DZ, None, X),
    ("numpy", r"(P - Y).T @ X / m", DW, None, X),
    # ---------------------------------------------------------------- course notation profiles
    ("profiles", r"softmax(o)_j - y_j", DZ, "d2l", R),
    ("profiles", r"\frac{\exp(o_j)}{\sum_k \exp(o_k)} - y_j", DZ, "d2l", R),
    ("profiles", r"\hat{y}_j - y_j", DZ, "d2l", R),
    ("profiles", r"\frac{\partial l}{\partial o_j} = \hat{y}_j - y_j", DZ, "d2l", R),
    ("profiles", r"y_k - t_k", DZ, "bishop", R),
    ("profiles", r"y_{nk} - t_{nk}", DZ, "bishop", R),
    (
        "profiles",
        r"\frac{1}{N}\sum_{n=1}^{N} (y_{nk} - t_{nk}) \boldsymbol{\phi}_n",
        DW,
        "bishop",
        R,
    ),
    ("profiles", r"\frac{\partial E}{\partial a_k} = y_k - t_k", DZ, "bishop", R),
    ("profiles", r"h_\theta(x^{(i)}) - y^{(i)}", LDZ, "cs229", R),
    (
        "profiles",
        r"\frac{1}{m}\sum_{i=1}^m (h_\theta(x^{(i)}) - y^{(i)}) x_j^{(i)}",
        LDW,
        "cs229",
        R,
    ),
    ("profiles", r"\sigma(\theta^\top x) - y", LDZ, "cs229", R),
    ("profiles", r"a - y", LDZ, "deeplearning.ai", R),
    ("profiles", r"dz = a - y", LDZ, "deeplearning.ai", R),
    ("profiles", r"\frac{1}{m}(A - Y)X^T", DW, "deeplearning.ai", R),
    ("profiles", r"dW = \frac{1}{m} (A - Y) X^\top", DW, "deeplearning.ai", R),
    ("profiles", r"X.T.dot(probs - Y) / N", DW, "cs231n", R),
    ("profiles", r"S_i - y_i", DZ, {"S": "f", "i": "k"}, R),
    ("profiles", r"\frac{1}{N}\Phi^\top (Y - T)", DW, "bishop", R),
    ("profiles", r"\nabla_{\mathbf{w}_k} E", DW, "bishop", X),
    ("profiles", r"\frac{1}{N}\Phi^\top (T - Y)", DW, "bishop", W),
    ("profiles", r"dw = \frac{1}{m} X dz^T", LDW, "deeplearning.ai", R),
    ("profiles", r"dW = \frac{1}{m} dZ X^T", DW, "deeplearning.ai", R),
    ("profiles", r"X.T.dot(dscores)", DW, "cs231n", R),
    ("profiles", r"X.T.dot(dscores) / N", DW, "cs231n", W),
    ("profiles", r"dW = dZ X^T", DW, "deeplearning.ai", W),
    ("profiles", r"dz", LDZ, "deeplearning.ai", X),
    ("profiles", r"\frac{1}{m} X dz", LDW, "deeplearning.ai", X),
    (
        "profiles",
        r"\frac{1}{N}\sum_{n=1}^{N}(\sigma(\mathbf{w}^T\boldsymbol{\phi}_n) - t_n)\boldsymbol{\phi}_n",
        LDW,
        "bishop",
        R,
    ),
    ("profiles", r"\sum_{n=1}^{N}(y_n - t_n)\boldsymbol{\phi}_n", LDW, "bishop", W),
    ("profiles", r"\frac{1}{N}Φᵀ (Y - T)", DW, "bishop", R),
    ("profiles", r"\frac{1}{N}\Phi^{T} (Y - T)", DW, None, X),
    ("profiles", r"t_k - y_k", DZ, "bishop", W),
    ("profiles", r"y_k", DZ, "bishop", W),
    ("profiles", r"softmax(o)_j", DZ, "d2l", W),
    ("profiles", r"a(1 - a)", LDZ, "deeplearning.ai", W),
    ("profiles", r"S_i + y_i", DZ, {"S": "f", "i": "k"}, W),
    ("profiles", r"\sigma(\theta^\top x)", LDZ, "cs229", W),
    ("profiles", r"\frac{1}{m}\sum_i (h_\theta(x^{(i)}) - y^{(i)})", LDW, "cs229", W),
    ("profiles", r"y_k - t_k", DZ, None, X),
    ("profiles", r"softmax(o)_j - y_j", DZ, None, X),
    ("profiles", r"h_\theta(x) - y", LDZ, None, X),
    ("profiles", r"a - y", LDZ, None, X),
    ("profiles", r"S_i - y_i", DZ, None, X),
    ("profiles", r"\frac{1}{m} X^T (A - Y)", DW, "deeplearning.ai", X),
    ("profiles", r"\frac{1}{m} X^\top (F - Y)", DW, "deeplearning.ai", X),
    # ---------------------------------------------------------------- what gradlab prints
    ("unicode", "σ(z)_k − 𝕀(yᵢ = k)", DZ, None, R),
    ("unicode", "-𝕀(y_i = k) + f_{i,k}", DZ, None, R),
    ("unicode", "fₖ − yₖ", DZ, None, R),
    ("unicode", "Xᵀ(F − Y)/m", DW, None, R),
    ("unicode", "f_j·(δ_{jk} − f_k)", JAC, None, R),
    ("unicode", "∂J/∂zₖ = fₖ − 𝕀(yᵢ = k)", DZ, None, R),
    ("unicode", "(1/m) Σ_{i=1}^{m} (f_k − y_k) x⁽ⁱ⁾", DW, None, R),
    ("unicode", "f_k − 𝟙(y_i = k)", DZ, None, R),
    ("unicode", "ŷ_k − y_k", DZ, None, R),
    ("unicode", "diag(f) − f fᵀ", JAC, None, R),
    ("unicode", "f_k − Σ_{c=1}^{C} (𝕀(y_i = c)·𝕀(c = k))", DZ, None, R),
    ("unicode", "𝕀(yᵢ = k) − σ(z)_k", DZ, None, W),
    ("unicode", "fₖ", DZ, None, W),
    ("unicode", "f_j·(δ_{jk} + f_k)", JAC, None, W),
    ("unicode", "fₖ − qₖ", DZ, None, X),
    ("unicode", "f_k ≥ 0", DZ, None, X),
    ("unicode", "f_k − 𝕀(yᵢ ≤ k)", DZ, None, X),
]


def verdict(form, topic, notation) -> str:
    try:
        return R if check_answer(form, topic=topic, notation=notation).correct else W
    except AnswerSyntaxError:
        return X


@pytest.mark.parametrize(("family", "form", "topic", "notation", "expected"), FORMS)
def test_form(family, form, topic, notation, expected):
    assert verdict(form, topic, notation) == expected


def test_the_table_is_large_and_covers_every_family_three_ways():
    assert len(FORMS) >= 150
    seen = collections.defaultdict(set)
    for family, *_, expected in FORMS:
        seen[family].add(expected)
    for family, verdicts in seen.items():
        assert verdicts == {R, W, X}, family


def main() -> int:
    counts = collections.Counter(row[0] for row in FORMS)
    verdicts = collections.Counter((row[0], row[4]) for row in FORMS)
    false_accepts, false_rejects, other = [], [], []
    for family, form, topic, notation, expected in FORMS:
        got = verdict(form, topic, notation)
        if got == R and expected != R:
            false_accepts.append((family, form, expected))
        elif expected == R and got != R:
            false_rejects.append((family, form, got))
        elif got != expected:
            other.append((family, form, f"{got}, expected {expected}"))
    print(f"{'family':12s} {'forms':>5s} {'right':>6s} {'wrong':>6s} {'refused':>8s}")
    for family, n in counts.items():
        r, w, x = (verdicts[family, v] for v in (R, W, X))
        print(f"{family:12s} {n:5d} {r:6d} {w:6d} {x:8d}")
    print(f"{'total':12s} {len(FORMS):5d}")
    print(f"false accepts: {len(false_accepts)}  false rejects: {len(false_rejects)}  "
          f"wrong/refused swapped: {len(other)}")  # fmt: skip
    for row in false_accepts + false_rejects + other:
        print("  ", row)
    return 1 if false_accepts or false_rejects or other else 0


if __name__ == "__main__":
    sys.exit(main())
