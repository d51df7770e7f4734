"""check_layer and check_model_gradient: each classic backpropagation bug, named."""

import numpy as np
import pytest

from gradlab import mlp
from gradlab.numeric import check_layer, check_model_gradient

rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
W = rng.normal(size=(3, 4))
b = rng.normal(size=4)
INPUTS = {"x": X, "W": W, "b": b}


def tanh_forward(x, W, b):
    return np.tanh(x @ W + b)


def sigmoid_forward(x, W, b):
    return 1 / (1 + np.exp(-(x @ W + b)))


def tanh_backward(dout, *, bug=None):
    """The layer h = tanh(x W + b), by hand; ``bug`` plants one classic mistake."""
    h = tanh_forward(X, W, b)
    if bug == "missing φ′":
        dz = dout
    elif bug == "φ′ at output":
        dz = dout * (1 - np.tanh(h) ** 2)
    else:
        dz = dout * (1 - h**2)
    dx = dz @ W.T
    dW = X.T @ dz
    db = dz.sum(axis=0)
    if bug == "transposed":
        dW = (X.T @ dz).T
    if bug == "bias axis":
        db = dz.sum(axis=1)
    return dx, dW, db


def test_correct_layer_passes():
    report = check_layer(tanh_forward, tanh_backward, INPUTS)
    assert report.verdict == "pass"
    assert [r["verdict"] for r in report.rows] == ["pass", "pass", "pass"]


def _independent_gradients(dout):
    """Central differences of <dout, forward> in each input, written out here."""
    out = {}
    for name, value in INPUTS.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in INPUTS.items()}
            minus = {k: v.copy() for k, v in INPUTS.items()}
            plus[name][idx] += 1e-6
            minus[name][idx] -= 1e-6
            g[idx] = np.sum(dout * (tanh_forward(**plus) - tanh_forward(**minus))) / 2e-6
        out[name] = g
    return out


def test_missing_phi_prime_is_named_for_every_input():
    report = check_layer(tanh_forward, lambda d: tanh_backward(d, bug="missing φ′"), INPUTS)
    # the planted bug really is wrong: an independent difference disagrees
    reference = _independent_gradients(report.dout)
    assert not np.allclose(tanh_backward(report.dout, bug="missing φ′")[1], reference["W"])
    assert report.verdict == "fail"
    assert [r["cause"] for r in report.rows] == ["missing φ′"] * 3
    assert "missing φ′" in report.diagnosis[0] and "tanh" in report.diagnosis[0]


def test_phi_prime_at_output_is_named():
    report = check_layer(tanh_forward, lambda d: tanh_backward(d, bug="φ′ at output"), INPUTS)
    assert report.verdict == "fail"
    assert [r["cause"] for r in report.rows] == ["φ′ at the output instead of the input"] * 3


def test_sigmoid_phi_prime_at_output_is_named():
    def backward(dout):
        s = sigmoid_forward(X, W, b)
        sig = 1 / (1 + np.exp(-s))
        dz = dout * sig * (1 - sig)  # σ′ at the output s instead of at z
        return dz @ W.T, X.T @ dz, dz.sum(axis=0)

    report = check_layer(sigmoid_forward, backward, INPUTS, activation="sigmoid")
    assert report.rows[1]["cause"] == "φ′ at the output instead of the input"


def test_transposed_weight_is_named_only_for_W():
    Ws = rng.normal(size=(4, 4))  # square: the transposed gradient has the right shape
    inputs = {"x": rng.normal(size=(6, 4)), "W": Ws}

    def forward(x, W):
        return x @ W

    def backward(dout):
        return dout @ Ws.T, (inputs["x"].T @ dout).T

    report = check_layer(forward, backward, inputs)
    assert [r["verdict"] for r in report.rows] == ["pass", "fail"]
    assert report.rows[1]["cause"] == "transposed weight"


def test_transposed_weight_with_wrong_shape():
    report = check_layer(tanh_forward, lambda d: tanh_backward(d, bug="transposed"), INPUTS)
    assert [r["verdict"] for r in report.rows] == ["pass", "fail", "pass"]
    assert report.rows[1]["cause"] == "transposed weight"


def test_bias_summed_over_wrong_axis():
    Xs = rng.normal(size=(4, 3))  # m = H = 4: the wrong sum has the right shape

    def forward(x, W, b):
        return np.tanh(x @ W + b)

    def backward(dout):
        dz = dout * (1 - forward(Xs, W, b) ** 2)
        return dz @ W.T, Xs.T @ dz, dz.sum(axis=1)

    report = check_layer(forward, backward, {"x": Xs, "W": W, "b": b})
    assert [r["verdict"] for r in report.rows] == ["pass", "pass", "fail"]
    assert report.rows[2]["cause"] == "bias summed over the wrong axis"
    # and with m != H the wrong sum has the wrong shape; still named
    report = check_layer(tanh_forward, lambda d: tanh_backward(d, bug="bias axis"), INPUTS)
    assert report.rows[2]["cause"] == "bias summed over the wrong axis"


def test_assignment_instead_of_accumulation_at_a_fork():
    Ws = rng.normal(size=(3, 3))
    bs = rng.normal(size=3)
    x = rng.normal(size=(5, 3))

    def forward(x, W, b):  # a residual layer: x is used twice
        return x + np.tanh(x @ W + b)

    def backward(dout):
        h = np.tanh(x @ Ws + bs)
        dz = dout * (1 - h**2)
        dx = dout  # through the skip connection ...
        dx = dz @ Ws.T  # ... overwritten: should be +=
        return dx, x.T @ dz, dz.sum(axis=0)

    report = check_layer(forward, backward, {"x": x, "W": Ws, "b": bs}, activation=None)
    assert [r["verdict"] for r in report.rows] == ["fail", "pass", "pass"]
    assert report.rows[0]["cause"] == "= instead of += at a fork"
    assert "used 2 times" in report.diagnosis[0]


def test_unexplained_error_names_no_cause():
    def backward(dout):
        dx, dW, db = tanh_backward(dout)
        return dx, dW * 1.5, db

    report = check_layer(tanh_forward, backward, INPUTS)
    assert report.verdict == "fail"
    assert report.rows[1]["cause"] == ""


def test_stateful_course_style_layer_and_inputs_untouched():
    cache = {}

    def forward(x, W, b):
        cache["x"], cache["W"], cache["h"] = x, W, np.tanh(x @ W + b)
        return cache["h"]

    def backward(dout):
        dz = dout * (1 - cache["h"] ** 2)
        return {"x": dz @ cache["W"].T, "W": cache["x"].T @ dz, "b": dz.sum(axis=0)}

    before = {k: v.copy() for k, v in INPUTS.items()}
    assert check_layer(forward, backward, INPUTS).verdict == "pass"
    for k, value in INPUTS.items():
        np.testing.assert_array_equal(value, before[k])


def test_clear_errors():
    with pytest.raises(ValueError, match="one gradient per input"):
        check_layer(tanh_forward, lambda d: (d, d), INPUTS)
    with pytest.raises(TypeError, match="inputs must be a dict"):
        check_layer(tanh_forward, tanh_backward, X)


# ----------------------------------------------------------------------------- whole model

P = mlp.init_params(3, 4, 3, seed=2)
Y = np.array([0, 1, 2, 1, 0])


def _student(bug=None):
    """A student's backpropagation for the tanh network, written out; ``bug`` plants one."""

    def gradient(p, X, y):
        m = X.shape[0]
        h = np.tanh(X @ p["W1"] + p["b1"])
        z = h @ p["W2"] + p["b2"]
        f = np.exp(z - z.max(axis=1, keepdims=True))
        f /= f.sum(axis=1, keepdims=True)
        dz2 = f.copy()
        dz2[np.arange(m), y] -= 1
        dz2 /= m
        if bug == "fork":
            for k in range(dz2.shape[1]):
                dh = np.outer(dz2[:, k], p["W2"][:, k])  # should be +=
        else:
            dh = dz2 @ p["W2"].T
        if bug == "missing φ′":
            dz1 = dh
        elif bug == "φ′ at output":
            dz1 = dh * (1 - np.tanh(h) ** 2)
        else:
            dz1 = dh * (1 - h**2)
        grads = {"W1": X.T @ dz1, "b1": dz1.sum(axis=0), "W2": h.T @ dz2, "b2": dz2.sum(axis=0)}
        if bug == "transposed":
            grads["W2"] = dz2.T @ h
        if bug == "bias axis":
            grads["b1"] = dz1.sum(axis=1)
        return grads

    return gradient


def test_model_gradient_passes():
    assert check_model_gradient(_student(), P, X, Y).verdict == "pass"


@pytest.mark.parametrize(
    ("bug", "wrong", "cause"),
    [
        ("missing φ′", ["W1", "b1"], "missing φ′"),
        ("φ′ at output", ["W1", "b1"], "φ′ at the output instead of the input"),
        ("fork", ["W1", "b1"], "= instead of += at a fork"),
        ("bias axis", ["b1"], "bias summed over the wrong axis"),
    ],
)
def test_model_gradient_names_each_bug(bug, wrong, cause):
    report = check_model_gradient(_student(bug), P, X, Y)
    assert report.verdict == "fail"
    assert [r["name"] for r in report.rows if r["verdict"] == "fail"] == wrong
    assert {r["cause"] for r in report.rows if r["name"] in wrong} == {cause}


def test_model_gradient_transposed_square_weight():
    params = mlp.init_params(3, 3, 3, seed=4)  # W2 is 3 x 3: the transpose fits
    report = check_model_gradient(_student("transposed"), params, X, Y)
    assert [r["cause"] for r in report.rows] == ["", "", "transposed weight", ""]


def test_model_gradient_unexplained_error_says_where_it_enters():
    def gradient(p, X, y):
        g = _student()(p, X, y)
        return dict(g, W1=g["W1"] * 1.1)

    report = check_model_gradient(gradient, P, X, Y)
    assert [r["verdict"] for r in report.rows] == ["fail", "pass", "pass", "pass"]
    assert report.rows[0]["cause"] == ""
    assert any("the output layer (W2, b2) is right" in d for d in report.diagnosis)


def test_bad_activation_is_refused():
    with pytest.raises(ValueError, match="activation must be 'auto', None or one of"):
        check_layer(tanh_forward, tanh_backward, INPUTS, activation="softplus")


def test_report_renders_as_html_in_jupyter():
    report = check_layer(tanh_forward, lambda d: tanh_backward(d, bug="missing φ′"), INPUTS)
    page = report._repr_html_()
    assert "check FAILED" in page and page.count("missing φ′") >= 3
