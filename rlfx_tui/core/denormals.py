"""Flush denormals to zero while the chain runs: what a plugin host does (JUCE's ScopedNoDenormals), pedalboard doesn't.

After loud input, the recursive state of pedalboard's LadderFilter and Phaser decays into the denormal range, where
every float operation costs many times more: a silent block through a ladder filter then takes far longer than a
sounding one, for as long as the silence lasts (tests/reliability/test_loud.py measures it; figures in
docs/figures/). Setting the CPU's
flush-to-zero (and, on x86, denormals-are-zero) bits for the duration of a call removes that; values below
~1e-38 (−760 dBFS) become 0, which nobody hears.

The floating-point environment is per thread; `no_denormals()` saves it, sets the bits, and restores it on exit, so
nothing outside the block (numpy in the UI thread, the learner) is affected. On a platform not listed below it is
a no-op (`AVAILABLE` is False).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

# (system, machine) → (sizeof(fenv_t), offset of the control register, its ctype, the bits to set)
_Layout = tuple[int, int, type[ctypes.c_uint32] | type[ctypes.c_uint64], int]
_LAYOUTS: dict[tuple[str, str], _Layout] = {
    ("Linux", "x86_64"): (32, 28, ctypes.c_uint32, (1 << 15) | (1 << 6)),  # glibc: __mxcsr; FTZ | DAZ
    ("Linux", "aarch64"): (8, 0, ctypes.c_uint32, 1 << 24),  # glibc: __fpcr; FZ
    ("Darwin", "x86_64"): (16, 4, ctypes.c_uint32, (1 << 15) | (1 << 6)),  # __mxcsr
    ("Darwin", "arm64"): (16, 8, ctypes.c_uint64, 1 << 24),  # __fpcr; FZ
}


def _load() -> tuple[object, _Layout] | None:
    layout = _LAYOUTS.get((platform.system(), platform.machine()))
    name = ctypes.util.find_library("m") or ctypes.util.find_library("c")
    if layout is None or name is None:
        return None
    try:
        libm = ctypes.CDLL(name)
        libm.fegetenv.argtypes = libm.fesetenv.argtypes = [ctypes.c_void_p]
        probe = ctypes.create_string_buffer(layout[0])
        if libm.fegetenv(probe) != 0:
            return None
    except (OSError, AttributeError):
        return None
    return libm, layout


_LIB = _load()
AVAILABLE = _LIB is not None


class _NoDenormals:
    """Context manager: flush-to-zero for the calling thread inside the block, the previous environment after."""

    __slots__ = ("_saved",)

    def __enter__(self) -> None:
        if _LIB is None:
            return
        libm, (size, offset, ctype, bits) = _LIB
        self._saved = saved = ctypes.create_string_buffer(size)
        libm.fegetenv(saved)  # type: ignore[attr-defined]
        flushed = ctypes.create_string_buffer(saved.raw, size)
        ctype.from_buffer(flushed, offset).value |= bits
        libm.fesetenv(flushed)  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        if _LIB is not None:
            _LIB[0].fesetenv(self._saved)  # type: ignore[attr-defined]


class _Nothing:
    __slots__ = ()

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


_NOTHING = _Nothing()
_FLUSHING: set[int] = set()  # threads that flush denormals for as long as they run (flushing_thread)


def no_denormals() -> _NoDenormals | _Nothing:
    """`with no_denormals(): ...` — a fresh object per use, so threads never share saved state; nothing at all on
    a thread inside ``flushing_thread`` (saving and restoring the environment costs ~2 µs, a sixth of a block)."""
    return _NOTHING if threading.get_ident() in _FLUSHING else _NoDenormals()


def flushing() -> bool:
    """Whether the calling thread flushes denormals for good (``flush_denormals_for_this_thread``): the audio
    threads, where process_block then skips even ``no_denormals``' bookkeeping."""
    return threading.get_ident() in _FLUSHING


def flush_denormals_for_this_thread() -> None:
    """Flush-to-zero on the calling thread from now on, and no_denormals() does nothing there: for a thread that
    only ever runs audio blocks (the audio callback's, the clock's). ``forget_flushing_threads`` undoes the
    bookkeeping (a finished thread's id may be reused). numpy's overflow and invalid-value warnings are turned off
    there too (numpy keeps them per thread): the block checks its samples itself, and a warning would be printed
    from the audio thread."""
    np.seterr(over="ignore", invalid="ignore")
    if _LIB is not None:
        libm, (size, offset, ctype, bits) = _LIB
        env = ctypes.create_string_buffer(size)
        libm.fegetenv(env)  # type: ignore[attr-defined]
        ctype.from_buffer(env, offset).value |= bits
        libm.fesetenv(env)  # type: ignore[attr-defined]
    _FLUSHING.add(threading.get_ident())


def forget_flushing_threads() -> None:
    _FLUSHING.clear()


@contextmanager
def flushing_thread() -> Iterator[None]:
    """Flush-to-zero on the calling thread for the block (the environment restored after): for a loop of audio
    blocks on a thread that runs other things too (the bench)."""
    with kept_fp_environment(), np.errstate():  # np.errstate(): numpy's error settings as they were, after
        flush_denormals_for_this_thread()
        try:
            yield
        finally:
            _FLUSHING.discard(threading.get_ident())


class _KeptEnvironment(_NoDenormals):
    """Context manager: whatever the block does to the calling thread's floating-point environment is undone."""

    __slots__ = ()

    def __enter__(self) -> None:
        if _LIB is None:
            return
        libm, (size, _, _, _) = _LIB
        self._saved = ctypes.create_string_buffer(size)
        libm.fegetenv(self._saved)  # type: ignore[attr-defined]


def kept_fp_environment() -> _KeptEnvironment:
    """`with kept_fp_environment(): load a plugin` — a plugin built with -ffast-math (DPF's default, so most of
    Debian's) sets flush-to-zero for the whole thread when its library is loaded (crtfastmath's constructor);
    without this, numpy in the loading thread would then silently flush subnormals for the rest of the run."""
    return _KeptEnvironment()
