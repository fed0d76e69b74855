import subprocess
import sys

import lstm_shapes


def test_every_public_name_imports():
    for name in lstm_shapes.__all__:
        assert getattr(lstm_shapes, name) is not None, name


def test_unknown_name_is_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        lstm_shapes.nope  # noqa: B018


def test_errors_show_the_public_module():
    assert lstm_shapes.ShapeError.__module__ == "lstm_shapes"


def test_import_does_not_load_tensorflow():
    code = "import lstm_shapes, sys; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_submodule_shadows_a_public_name() -> None:
    """A module named like an exported function would replace it once imported."""
    import importlib
    import pkgutil
    import types

    import lstm_shapes.exercises
    import lstm_shapes.grading

    for package in (lstm_shapes, lstm_shapes.exercises, lstm_shapes.grading):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
        for name in package.__all__:
            assert not isinstance(getattr(package, name), types.ModuleType), (package, name)
