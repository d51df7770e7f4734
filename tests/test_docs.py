"""Every public function and class documents itself with a runnable example.

The examples themselves run as doctests (pytest's --doctest-modules over gradlab/);
this test makes sure none is missing.
"""

import importlib
import inspect

import pytest

import gradlab

MODULES = [
    "gradlab.answers",
    "gradlab.datasets",
    "gradlab.numeric",
    "gradlab.plots",
    "gradlab.symbolic",
    "gradlab.train",
]


def public_objects():
    seen = {}
    for name in gradlab.__all__:
        obj = getattr(gradlab, name)
        if not inspect.ismodule(obj):
            seen[f"gradlab.{name}"] = obj
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                seen.setdefault(f"{module_name}.{name}", obj)
    return sorted(seen.items())


# warnings and exceptions explain themselves in their messages
PUBLIC = [
    (name, obj)
    for name, obj in public_objects()
    if not (inspect.isclass(obj) and issubclass(obj, BaseException))
]


@pytest.mark.parametrize(("name", "obj"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_object_has_a_numpydoc_docstring_with_an_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "Examples\n--------" in doc, f"{name}'s docstring has no Examples section"
    assert ">>> " in doc.split("Examples\n--------", 1)[1], f"{name}'s example has no code"


def test_every_name_in_all_is_importable_from_the_top_level():
    for name in gradlab.__all__:
        assert getattr(gradlab, name) is not None
