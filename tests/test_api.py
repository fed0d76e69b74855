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
