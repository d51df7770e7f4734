"""`gradlab tour`, the README's main job, run as a user runs it."""

import pytest

from gradlab.tour import tour

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.slow  # each test runs the whole tour


# started when collection ends (tests/conftest.py), in a scratch folder
@pytest.mark.early_run("-m", "gradlab.cli", "tour", "--out", "figs")
def test_gradlab_tour_tells_the_whole_story_and_writes_its_figures(early_run):
    out = early_run.folder / "figs"
    assert early_run.returncode == 0, early_run.stderr.decode()
    text = early_run.stdout.decode()
    # the derivation of eq (2) with its justifications, verified
    for needle in ("chain rule", "quotient rule", "fₖ - 𝕀(yᵢ = k)", "all steps hold"):
        assert needle in text
    # the reference gradient passes, the buggy one is caught and diagnosed
    assert "gradient check passed" in text
    assert "gradient check FAILED" in text and "forgot to divide by m = 50" in text
    # training on blobs learns something
    accuracy = float(text.split("training accuracy: ")[1].split("%")[0])
    assert accuracy > 90
    # the typed answer with the sign flipped is caught
    assert "Sign error" in text
    # it ends by saying what it wrote where
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "tour_boundary_blobs.png",
        "tour_loss_blobs.png",
        "tour_softmax_dz.png",
        "tour_step_size_sweep.png",
    ]
    assert str(out.resolve()) in text
    for name in written:
        assert name in text.split("Figures written to")[1]
        assert (out / name).read_bytes()[:8] == PNG_MAGIC


def test_tour_fails_loudly_when_a_check_it_shows_goes_wrong(tmp_path, monkeypatch):
    from gradlab.numeric import examples

    # if the "buggy" gradient were correct, the tour's diagnosis section would be a lie
    monkeypatch.setitem(examples.STUDENT_GRADIENTS, "missing-m", examples.STUDENT_GRADIENTS["none"])
    lines = []
    with pytest.raises(RuntimeError, match="checks failed"):
        tour(tmp_path, echo=lines.append)
    assert any("SOMETHING FAILED" in line for line in lines)
