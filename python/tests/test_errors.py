"""Bad input: faltung raises where scipy raises, with the same exception type
(or a subclass), and the message names the problem."""
import numpy as np
import pytest
import scipy.ndimage as snd
import scipy.signal as ssig
from faltung import ndimage as fnd
from faltung import signal as fsig

x1, k1 = np.arange(10.0), np.ones(3)
x2, k2 = np.ones((6, 7)), np.ones((3, 2))

SIGNAL_CASES = [
    ("convolve", (x1, np.ones((2, 2))), {}),                    # ranks differ
    ("convolve", (x1, k1), {"mode": "middle"}),
    ("convolve", (x1, k1), {"method": "winograd"}),
    ("convolve", (np.ones((3, 5)), np.ones((5, 3))), {"mode": "valid"}),  # neither contains the other
    ("correlate", (x1, k1), {"mode": "nope"}),
    ("correlate", (x1, np.ones((1, 1))), {}),
    ("correlate", (x1, k1), {"method": "magic"}),
    ("fftconvolve", (x1, np.ones((2, 2))), {}),
    ("fftconvolve", (x1, k1), {"mode": "middle"}),
    ("fftconvolve", (x2, k2), {"axes": [0, 0]}),
    ("fftconvolve", (x2, k2), {"axes": [2]}),
    ("fftconvolve", (x2, k2), {"axes": []}),
    ("fftconvolve", (x2, np.ones((3, 3))), {"axes": [0]}),     # batch axis 7 vs 3
    ("oaconvolve", (x1, k1), {"mode": "middle"}),
    ("convolve2d", (x1, k1), {}),                              # not 2-D
    ("convolve2d", (x2, k2), {"boundary": "reflect"}),
    ("convolve2d", (x2, k2), {"mode": "middle"}),
    ("convolve2d", (x2, k2), {"fillvalue": [1, 2]}),
    ("convolve2d", (x2, k2), {"fillvalue": 1 + 2j}),            # complex fill, real data
    ("convolve2d", (np.ones((3, 5)), np.ones((5, 3))), {"mode": "valid"}),
    ("correlate2d", (x2, k2), {"boundary": "mirror"}),
    ("correlate2d", (x1, k1), {}),
]

NDIMAGE_CASES = [
    ("correlate", (x2, np.ones(3)), {}),                       # weights rank
    ("correlate", (x2, k2), {"mode": "reflect101"}),
    ("correlate", (x2, k2), {"origin": 5}),
    ("convolve", (x2, k2), {"origin": [0, 9]}),
    ("convolve", (x2, k2), {"output": np.empty((2, 2))}),
    ("correlate1d", (x2, np.ones((2, 2))), {}),
    ("correlate1d", (x2, np.ones(3)), {"axis": 2}),
    ("correlate1d", (x2, np.ones(3)), {"origin": 2}),
    ("convolve1d", (x2, np.ones(3)), {"mode": "bogus"}),
    ("convolve1d", (x2, np.ones(0)), {}),
    ("uniform_filter1d", (x2, 0), {}),
    ("uniform_filter", (x2,), {"size": 3, "origin": 2}),
    ("uniform_filter", (x2,), {"size": [3, 3, 3]}),
    ("gaussian_filter", (x2, 1.0), {"order": -1}),
    ("gaussian_filter", (x2, 1.0), {"radius": -2}),
    ("gaussian_filter", (x2, [1.0, 2.0, 3.0]), {}),
    ("gaussian_filter", (x2, 1.0), {"mode": "middle"}),
    ("gaussian_filter", (x2, 1.0), {"axes": [0, 0]}),
]


def _exception_of(fn, args, kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as e:
        return e
    return None


CASES = [(ssig, fsig, *c) for c in SIGNAL_CASES] + [(snd, fnd, *c) for c in NDIMAGE_CASES]


@pytest.mark.parametrize("scipy_module,faltung_module,name,args,kwargs", CASES,
                         ids=[f"{c[0].__name__.split('.')[-1]}.{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_errors_match_scipy(scipy_module, faltung_module, name, args, kwargs):
    want = _exception_of(getattr(scipy_module, name), args, kwargs)
    assert want is not None, "scipy accepts this call: the case list is wrong"
    got = _exception_of(getattr(faltung_module, name), args, kwargs)
    assert isinstance(got, type(want)), f"scipy raised {want!r}, faltung {got!r}"
    assert str(got), "the message must say what is wrong"


def test_unsupported_dtypes_are_refused_clearly():
    with pytest.raises(TypeError, match="longdouble|float128|precision"):
        fsig.convolve(np.ones(5, np.longdouble), np.ones(2, np.longdouble))
    with pytest.raises(TypeError):
        fsig.convolve(np.array(["a", "b"]), np.array(["c"]))
