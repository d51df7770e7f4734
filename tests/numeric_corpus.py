"""A corpus of student-style gradient code, written for these tests: bugs and correct code.

Each case is ``Case(name, f, grad, x, verdict, cause, kw)``: the loss, the student's
gradient, the point, the verdict the checker must give and words its diagnosis must
contain (the cause). Losses are written here from their textbook definitions; the
correct gradients are independent derivations (loops or closed forms), never gradlab's.

Families: softmax regression, multiclass SVM, logistic regression with L2 (stable and
naively cancelling), two-layer ReLU nets, batchnorm and layernorm backward (float64
and float32), max-pool, stationary points, kinks, float32 precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    f: object
    grad: object
    x: object
    verdict: str
    cause: str = ""
    kw: dict = field(default_factory=dict)


rng = np.random.default_rng(2024)
CASES: list[Case] = []


def case(name, f, grad, x, verdict, cause="", **kw):
    CASES.append(Case(name, f, grad, x, verdict, cause, kw))


def sig(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- softmax
M, D, C, LAM = 24, 4, 3, 0.1
Xs = rng.normal(size=(M, D))
ys = np.arange(M) % C
Ys = np.eye(C)[ys]
Ws = {"W": rng.normal(scale=0.5, size=(D, C)), "b": rng.normal(scale=0.1, size=C)}


def softmax_loss(p, lam=0.0, X=Xs, y=ys):
    Z = X @ p["W"] + p["b"]
    Z = Z - Z.real.max(axis=1, keepdims=True)
    J = np.mean(np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(len(y)), y])
    return J + 0.5 * lam * np.sum(p["W"] ** 2)


def softmax_grad(p, lam=0.0, X=Xs, Y=Ys):
    """Per-sample loop over eq (2)-(3)."""
    W, b = p["W"], p["b"]
    dW, db = np.zeros_like(W), np.zeros_like(b)
    for i in range(len(X)):
        z = X[i] @ W + b
        f = np.exp(z - z.max())
        f /= f.sum()
        dW += np.outer(X[i], f - Y[i]) / len(X)
        db += (f - Y[i]) / len(X)
    return {"W": dW + lam * W, "b": db}


def _sm(mod, lam=0.0):
    return lambda p: mod(softmax_grad(p, lam), p)


def _set(g, key, value):
    return {**g, key: value}


sm_f = softmax_loss
sm_l2 = lambda p: softmax_loss(p, LAM)
case("softmax correct", sm_f, _sm(lambda g, p: g), Ws, "pass", m=M)
case("softmax correct, l2", sm_l2, _sm(lambda g, p: g, LAM), Ws, "pass", m=M)
case("softmax correct, directional", sm_f, _sm(lambda g, p: g), Ws, "pass", mode="directional")
case("softmax missing 1/m", sm_f, _sm(lambda g, p: {k: M * v for k, v in g.items()}), Ws,
     "fail", "forgot to divide by m", m=M)  # fmt: skip
case("softmax sign flip", sm_f, _sm(lambda g, p: {k: -v for k, v in g.items()}), Ws, "fail",
     "sign flip")  # fmt: skip
case("softmax db zeros", sm_f, _sm(lambda g, p: _set(g, "b", 0 * g["b"])), Ws, "fail",
     "all zeros")  # fmt: skip
case("softmax dW only missing 1/m", sm_f, _sm(lambda g, p: _set(g, "W", M * g["W"])), Ws,
     "fail", "for 'W': analytic = 24 × numeric: forgot to divide by m", m=M)  # fmt: skip
case("softmax db divided by m twice", sm_f, _sm(lambda g, p: _set(g, "b", g["b"] / M)), Ws,
     "fail", "for 'b': analytic = numeric / 24: divided by m = 24 twice", m=M)  # fmt: skip
case("softmax db doubled", sm_f, _sm(lambda g, p: _set(g, "b", 2 * g["b"])), Ws, "fail",
     "for 'b': analytic = 2 × numeric")  # fmt: skip
case("softmax no one-hot", sm_f, _sm(lambda g, p: {
    "W": g["W"] + Xs.T @ Ys / M, "b": g["b"] + Ys.mean(axis=0)}), Ws, "fail",
     "no simple pattern")  # fmt: skip
case("softmax l2 twice", sm_l2, _sm(lambda g, p: _set(g, "W", g["W"] + LAM * p["W"]), LAM),
     Ws, "fail", "regularization term is off by 0.1·W")  # fmt: skip
case("softmax l2 forgotten", sm_l2, _sm(lambda g, p: g), Ws, "fail",
     "regularization term is off by -0.1·W")  # fmt: skip
case("softmax l2 on b too", sm_l2, _sm(lambda g, p: _set(g, "b", g["b"] + LAM * p["b"]), LAM),
     Ws, "fail", "regularization term is off by 0.1·b")  # fmt: skip
case("softmax data term not averaged, l2 right", sm_l2,
     _sm(lambda g, p: {"W": M * (g["W"] - LAM * p["W"]) + LAM * p["W"], "b": M * g["b"]}, LAM),
     Ws, "fail", "the data term is 24 × the true one", m=M)  # fmt: skip


def _row_bug(g, p):
    W = g["W"].copy()
    W[2] *= 1.5
    return _set(g, "W", W)


def _col_bug(g, p):
    W = g["W"].copy()
    W[:, 1] = 0
    return _set(g, "W", W)


def _rows_bug(g, p):
    W = g["W"].copy()
    W[1:3] += 0.3
    return _set(g, "W", W)


def _one_entry(g, p):
    W = g["W"].copy()
    W[3, 2] *= 1 + 1e-6
    return _set(g, "W", W)


case("softmax row 2 of dW wrong", sm_f, _sm(_row_bug), Ws, "fail", "row 2 of W")
case("softmax column 1 of dW zeroed", sm_f, _sm(_col_bug), Ws, "fail", "column 1 of W")
case("softmax rows 1-2 of dW wrong", sm_f, _sm(_rows_bug), Ws, "fail", "rows 1–2 of W")
case("softmax one entry off 1e-6", sm_f, _sm(_one_entry), Ws, "fail", "only entry W[3, 2]")
Wsq = {"W": rng.normal(scale=0.5, size=(C, C)), "b": rng.normal(scale=0.1, size=C)}
Xsq = Xs[:, :C]
sq_f = lambda p: softmax_loss(p, X=Xsq)
case("softmax transposed dW", sq_f, lambda p: _set(softmax_grad(p, X=Xsq), "W",
     softmax_grad(p, X=Xsq)["W"].T), Wsq, "fail", "'W' is transposed")  # fmt: skip
case("softmax float32 correct", lambda p: softmax_loss(p, X=Xs.astype(np.float32)),
     lambda p: softmax_grad(p, X=Xs.astype(np.float32)),
     {k: v.astype(np.float32) for k, v in Ws.items()}, "pass", "float32 precision limits")  # fmt: skip
case("softmax float32 missing 1/m", lambda p: softmax_loss(p, X=Xs.astype(np.float32)),
     lambda p: {k: M * v for k, v in softmax_grad(p, X=Xs.astype(np.float32)).items()},
     {k: v.astype(np.float32) for k, v in Ws.items()}, "fail", "forgot to divide by m", m=M)  # fmt: skip
case("softmax gradient returned in float32", sm_f,
     lambda p: {k: v.astype(np.float32) for k, v in softmax_grad(p).items()}, Ws, "pass",
     "the analytic gradient is float32")  # fmt: skip

# ----------------------------------------------------------------------------- SVM
Wv = rng.normal(scale=0.3, size=(D, C))


def svm_loss(W, lam=0.0):
    S = Xs @ W
    margins = np.maximum(0, S - S[np.arange(M), ys][:, None] + 1)
    margins[np.arange(M), ys] = 0
    return margins.sum() / M + 0.5 * lam * np.sum(W * W)


def svm_grad(W, lam=0.0, scale=1.0, forget_correct=False):
    dW = np.zeros_like(W)
    for i in range(M):
        s = Xs[i] @ W
        for k in range(C):
            if k != ys[i] and s[k] - s[ys[i]] + 1 > 0:
                dW[:, k] += Xs[i]
                if not forget_correct:
                    dW[:, ys[i]] -= Xs[i]
    return scale * dW / M + lam * W


case("svm correct", svm_loss, svm_grad, Wv, "pass")
case("svm correct, l2", lambda W: svm_loss(W, LAM), lambda W: svm_grad(W, LAM), Wv, "pass")
case("svm missing 1/m", svm_loss, lambda W: svm_grad(W, scale=M), Wv, "fail",
     "forgot to divide by m", m=M)  # fmt: skip
case("svm sign flip", svm_loss, lambda W: svm_grad(W, scale=-1), Wv, "fail", "sign flip")
case("svm l2 twice", lambda W: svm_loss(W, LAM), lambda W: svm_grad(W, 2 * LAM), Wv, "fail",
     "regularization term is off by 0.1·x")  # fmt: skip
case("svm forgets the correct-class term", svm_loss, lambda W: svm_grad(W, forget_correct=True),
     Wv, "fail", "no simple pattern")  # fmt: skip

# ----------------------------------------------------------------------------- logistic
ML = 40
Xl = rng.normal(size=(ML, 5))
yl = (rng.random(ML) < 0.5).astype(float)
wl = rng.normal(size=5)


def logistic_loss(w, X=Xl, lam=LAM):
    z = X @ w
    return np.mean(np.logaddexp(0, z) - yl * z) + 0.5 * lam * w @ w


def logistic_grad(w, X=Xl, lam=LAM, data=1.0, reg=1.0):
    return data * X.T @ (sig(X @ w) - yl) / ML + reg * lam * w


case("logistic l2 correct", logistic_loss, logistic_grad, wl, "pass")
case("logistic l2 sign flip", logistic_loss, lambda w: -logistic_grad(w), wl, "fail", "sign flip")
case("logistic l2 data term not averaged", logistic_loss, lambda w: logistic_grad(w, data=ML),
     wl, "fail", "the data term is 40 × the true one", m=ML)  # fmt: skip
case("logistic l2 twice", logistic_loss, lambda w: logistic_grad(w, reg=2), wl, "fail",
     "regularization term is off by 0.1·x")  # fmt: skip
case("logistic l2 forgotten", logistic_loss, lambda w: logistic_grad(w, reg=0), wl, "fail",
     "regularization term is off by -0.1·x")  # fmt: skip
Xsat = 10 * Xl  # the sigmoid saturates on most samples
case("logistic saturated, correct", lambda w: logistic_loss(w, Xsat),
     lambda w: logistic_grad(w, Xsat), wl, "pass")  # fmt: skip
case("logistic saturated, data term 30% off", lambda w: logistic_loss(w, Xsat),
     lambda w: logistic_grad(w, Xsat, data=1.3), wl, "fail", "the data term is 1.3 ×")  # fmt: skip

# The naive course cost: log(1 - σ(z)) cancels for z ~ 20 (f loses digits there).
Xc = rng.normal(size=(28, 4))
Xc[:, 0] = 4 + rng.random(28)
wc = np.array([5.0, 0.0, 0.0, 0.0])


def naive_cost(w):
    z = Xc @ w
    return -np.mean(np.log(1 - sig(z)))


def naive_grad(w):
    return Xc.T @ sig(Xc @ w) / len(Xc)


case("naive log(1 - σ) correct, cancelling, z ~ 25", naive_cost, naive_grad, wc, "pass")
Xd = rng.normal(size=(28, 4))
Xd[:, 0] = 5 + rng.random(28)
wd = np.array([5.5, 0.0, 0.0, 0.0])  # z ~ 28-33: 1 - σ(z) keeps 3 digits
case("naive log(1 - σ) correct, cancelling, z ~ 30", lambda w: -np.mean(np.log(1 - sig(Xd @ w))),
     lambda w: Xd.T @ sig(Xd @ w) / len(Xd), wd, "inconclusive",
     "Compute log(1 - σ(z)) as -softplus(z)")  # fmt: skip
case("naive log(1 - σ) 30% off, cancelling", naive_cost, lambda w: 1.3 * naive_grad(w), wc,
     "fail", "only entry [0]")  # fmt: skip
case("softplus form of the same cost, correct", lambda w: np.mean(np.logaddexp(0, Xc @ w)),
     naive_grad, wc, "pass")  # fmt: skip

# ----------------------------------------------------------------------------- two-layer net
MN, H = 16, 5
Xn = rng.normal(size=(MN, 3))
tn = rng.normal(size=(MN, 2))
net = {
    "W1": rng.normal(scale=0.7, size=(3, H)),
    "b1": rng.normal(scale=0.3, size=H),
    "W2": rng.normal(scale=0.7, size=(H, 2)),
    "b2": rng.normal(scale=0.1, size=2),
}


def net_loss(p):
    A = np.maximum(0, Xn @ p["W1"] + p["b1"])
    return 0.5 * np.mean(np.sum((A @ p["W2"] + p["b2"] - tn) ** 2, axis=1))


def net_grad(p, mask=True, w2_scale=1.0, w1_scale=1.0, b2_zero=False, thresh=0.0):
    Z = Xn @ p["W1"] + p["b1"]
    A = np.maximum(0, Z)
    dO = (A @ p["W2"] + p["b2"] - tn) / MN
    dA = dO @ p["W2"].T
    dZ = dA * (Z > thresh) if mask else dA
    return {
        "W1": w1_scale * Xn.T @ dZ,
        "b1": dZ.sum(axis=0),
        "W2": w2_scale * A.T @ dO,
        "b2": 0 * dO.sum(axis=0) if b2_zero else dO.sum(axis=0),
    }


case("two-layer net correct", net_loss, net_grad, net, "pass")
case("two-layer net correct, sparse", net_loss, net_grad, net, "pass", mode="sparse", n=12)
case("two-layer net forgets the ReLU mask", net_loss, lambda p: net_grad(p, mask=False), net,
     "fail", "'W2', 'b2' agree")  # fmt: skip
case("two-layer net db2 zeros", net_loss, lambda p: net_grad(p, b2_zero=True), net, "fail",
     "gradient of 'b2' is all zeros")  # fmt: skip
case("two-layer net dW2 missing 1/m", net_loss, lambda p: net_grad(p, w2_scale=MN), net, "fail",
     "for 'W2': analytic = 16 × numeric: forgot to divide by m", m=MN)  # fmt: skip
case("two-layer net dW1 doubled", net_loss, lambda p: net_grad(p, w1_scale=2.0), net, "fail",
     "for 'W1': analytic = 2 × numeric")  # fmt: skip

# ----------------------------------------------------------------------------- normalization
NB, FB = 6, 4
xb = rng.normal(size=(NB, FB))
gam = rng.normal(size=FB)
bet = rng.normal(size=FB)
dyb = rng.normal(size=(NB, FB))


def _norm(x, axis):
    mu = x.mean(axis, keepdims=True)
    var = ((x - mu) ** 2).mean(axis, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5)


def norm_loss(p, axis):
    return np.sum((_norm(p["x"], axis) * p["gamma"] + p["beta"]) * dyb.astype(p["x"].dtype))


def norm_grad(p, axis, term=1.0, mean_term=True, dgamma=1.0, dbeta=1.0):
    x, g = p["x"], p["gamma"]
    dy = dyb.astype(x.dtype)
    mu = x.mean(axis, keepdims=True)
    s = np.sqrt(((x - mu) ** 2).mean(axis, keepdims=True) + 1e-5)
    xh = (x - mu) / s
    dxh = dy * g
    mean = dxh.mean(axis, keepdims=True) if mean_term else 0
    dx = (dxh - mean - term * xh * (dxh * xh).mean(axis, keepdims=True)) / s
    return {
        "x": dx,
        "gamma": dgamma * np.sum(dy * xh, axis=0),
        "beta": dbeta * np.sum(dy, axis=0),
    }


def bn(**kw):
    return lambda p: norm_grad(p, 0, **kw)


def ln(**kw):
    return lambda p: norm_grad(p, 1, **kw)


def _pt(dtype):
    return {"x": xb.astype(dtype), "gamma": gam.astype(dtype), "beta": bet.astype(dtype)}


bn_f, ln_f = (lambda p: norm_loss(p, 0)), (lambda p: norm_loss(p, 1))
f64, f32 = _pt(np.float64), _pt(np.float32)
case("batchnorm correct", bn_f, bn(), f64, "pass")
case("batchnorm correct, float32", bn_f, bn(), f32, "pass")
case("batchnorm forgets the mean term", bn_f, bn(mean_term=False), f64, "fail",
     "'x' (24 of 24 entries) disagree; 'gamma', 'beta' agree")  # fmt: skip
case("batchnorm variance term 30% off, float32", bn_f, bn(term=1.3), f32, "fail", "'x'")
case("batchnorm variance term 60% off", bn_f, bn(term=1.6), f64, "fail", "'x'")
case("batchnorm dgamma doubled", bn_f, bn(dgamma=2.0), f64, "fail", "for 'gamma': analytic = 2")
case("batchnorm dbeta sign flip", bn_f, bn(dbeta=-1.0), f64, "fail", "for 'beta': sign flip")
case("layernorm correct", ln_f, ln(), f64, "pass")
case("layernorm correct, float32", ln_f, ln(), f32, "pass")
case("layernorm variance term 30% off, float32", ln_f, ln(term=1.3), f32, "fail", "'x'")
case("layernorm variance term 20% off, float32", ln_f, ln(term=1.2), f32, "fail", "'x'")
case("layernorm forgets the mean term, float32", ln_f, ln(mean_term=False), f32, "fail", "'x'")
case("layernorm dgamma halved", ln_f, ln(dgamma=0.5), f64, "fail", "for 'gamma': analytic = ½")

# ----------------------------------------------------------------------------- max-pool
xp = rng.normal(size=(4, 4))


def pool_loss(x):
    return np.sum(x.reshape(2, 2, 2, 2).max(axis=(1, 3)) * np.array([[1.0, -2.0], [0.5, 3.0]]))


def pool_grad(x, first=False):
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = np.zeros_like(x)
    for i in range(2):
        for j in range(2):
            win = x[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
            r, c = (0, 0) if first else np.unravel_index(win.argmax(), (2, 2))
            g[2 * i + r, 2 * j + c] = w[i, j]
    return g


case("max-pool correct", pool_loss, pool_grad, xp, "pass")
case("max-pool routes to the first entry", pool_loss, lambda x: pool_grad(x, first=True), xp,
     "fail", "disagree (6 of 16); every other checked entry agrees")  # fmt: skip
xtie = xp.copy()
xtie[0, 1] = xtie[0, 0] = 3.0  # a tie in the first window
case("max-pool at a tie, valid subgradient", pool_loss, pool_grad, xtie, "pass", "kink")

# ----------------------------------------------------------------------------- stationary, kinks
x4 = np.array([1.0, -2.0, 0.5, 3.0])
case("quadratic at its minimum", lambda x: np.sum((x - x4) ** 2), lambda x: 2 * (x - x4), x4,
     "pass")  # fmt: skip
case("log cosh at its minimum (not complex-safe)", lambda x: np.sum(np.logaddexp(x, -x)),
     np.tanh, np.zeros(4), "pass")  # fmt: skip
case("softmax loss at a stationary point plus 3", lambda x: 3 + np.sum(np.cos(x)),
     lambda x: -np.sin(x), np.zeros(3), "pass")  # fmt: skip
case("gradient left at zero away from the minimum", lambda x: np.sum((x - x4) ** 2),
     lambda x: 0 * x, x4 + 0.5, "fail", "all zeros")  # fmt: skip
xk = np.array([0.0, 1.0, -1.0, 0.0])
relu_f = lambda x: np.sum(np.maximum(x, 0))
case("ReLU at 0, subgradient 0", relu_f, lambda x: (x > 0) * 1.0, xk, "pass",
     "any value between them is a valid subgradient, and the analytic value lies between them")  # fmt: skip
case(
    "ReLU at 0, invalid subgradient 1.5",
    relu_f,
    lambda x: np.where(x == 0, 1.5, x > 0),
    xk,
    "fail",
    "f has a kink at x for [0] (one-sided slopes 0 and 1), and the analytic value 1.5",
)
case("abs at 0, sign(0) = 0", lambda x: np.sum(np.abs(x)), np.sign, xk, "pass")
case("hinge at the margin", lambda x: np.maximum(0, 1 - x[0] * 2.0) + x[1] ** 2,
     lambda x: np.array([0.0, 2 * x[1]]), np.array([0.5, 0.3]), "pass", "kink")  # fmt: skip
case("smooth f, no kink: 10% off", lambda x: np.sum(np.tanh(x) ** 2),
     lambda x: 1.1 * 2 * np.tanh(x) / np.cosh(x) ** 2, xk + 0.3, "fail",
     "analytic = 1.1 × numeric")  # fmt: skip

# ----------------------------------------------------------------------------- float32
x32 = rng.normal(size=(4, 3)).astype(np.float32)
tanh_f = lambda x: np.sum(np.tanh(x))
tanh_g = lambda x: 1 - np.tanh(x) ** 2
case("tanh float32 correct", tanh_f, tanh_g, x32, "pass", "float32 precision limits")
case("tanh float32 10% off", tanh_f, lambda x: 1.1 * tanh_g(x), x32, "fail", "1.1 × numeric")
case("tanh float32 one entry 20% off", tanh_f,
     lambda x: tanh_g(x) * np.where(np.arange(12).reshape(4, 3) == 7, 1.2, 1.0), x32, "fail",
     "only entry [2, 1]")  # fmt: skip
case("mean versus sum on 1e-10 gradients", lambda x: 1e-10 * np.mean(x**2),
     lambda x: 1e-10 * 2 * x, rng.normal(size=8), "fail", "analytic = 8 × numeric", m=8)  # fmt: skip
Wb = rng.normal(size=(6, 5))


def _block_bug(x):
    g = 2 * x
    g[1:3, 2:4] *= 1.1
    return g


case("a block of W wrong", lambda x: np.sum(x**2), _block_bug, Wb, "fail",
     "the block x[1–2, 2–3]")  # fmt: skip

BUGS = [c for c in CASES if c.verdict == "fail"]
CORRECT = [c for c in CASES if c.verdict != "fail"]
