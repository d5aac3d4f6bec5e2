"""The Python tables of the engine's enum codes come from the C++ module
(faltung::enum_names), and this pins them: a code is part of the module's
interface (pickled plans, saved wisdom, problem strings name them), so a
reorder or rename in C++ must be deliberate and show up here."""
import faltung._core as core
from faltung import _engine
from faltung.cli import _parser


def test_the_tables_are_the_engines():
    names = core.enum_names()
    assert names == {
        "op": ["conv", "corr"],
        "mode": ["full", "same", "valid"],
        "boundary": ["constant", "symmetric", "mirror", "nearest", "wrap"],
        "nan": ["propagate", "ignore", "fill", "raise"],
        "method": ["auto", "direct", "fft", "overlap_save", "separable", "measure", "reference"],
    }
    for table, python in (("op", _engine.OPS), ("mode", _engine.MODES), ("boundary", _engine.BOUNDARIES),
                          ("nan", _engine.NAN_POLICIES), ("method", _engine.METHODS)):
        assert python == {name: code for code, name in enumerate(names[table])}, table


def test_each_code_means_its_name_in_the_engine():
    # the problem string the engine makes from a code names the same thing
    for name, code in _engine.MODES.items():
        assert f"mode={name}" in core.problem_text(_engine.OPS["conv"], "float64", [8], [3], code, None) \
            or name == "full"  # full is the default, left out of canonical strings
    for name, code in _engine.OPS.items():
        assert core.problem_text(code, "float64", [8], [3], 0, None).startswith(f"op={name}")


def test_the_command_lines_choices_are_the_tables():
    choices = {}
    for action in _parser()._subparsers._group_actions[0].choices["convolve"]._actions:
        if action.choices:
            choices[action.dest] = list(action.choices)
    assert choices["op"] == list(_engine.OPS)
    assert choices["mode"] == list(_engine.MODES)
    assert choices["method"] == list(_engine.METHODS)
    assert choices["nan"] == list(_engine.NAN_POLICIES)
