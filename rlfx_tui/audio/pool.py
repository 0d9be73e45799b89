"""The chain pool: a few instances of a preset's chain, built once per stream, each owned by one thread at a time.

A plugin instance is expensive to load (an external plugin: 10 ms to over a minute) and cannot be copied, so a jump
never builds a chain: it takes an idle one of the pool (``POOL_SIZE``: the one heard, the one fading in, the one
being prepared). Ownership moves only through atomic list and deque operations, so a chain is only ever in one
place, or in one thread's hands:

* the preparing threads own the idle chains (``idle``; several may prepare at once: the UI and follow mode do);
* a prepared chain is handed over through ``slot``, a one-item deque whose ``popleft`` is atomic: either the audio
  thread takes it (``take``) or a preparer takes it back to prepare a newer jump (``idle_chain``), never both;
* the audio thread owns what it took (the chain heard, the one fading in) and gives a chain back through
  ``returned`` (``give_back``: an atomic ``append``) when its fade-out ends, a mute drops it, or it set a jump in
  place instead.

So no plugin is ever touched by two threads, and no chain is freed on the audio thread (the pool keeps them all).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rlfx_tui.core.chain import EffectChain

POOL_SIZE = 3  # heard + incoming + the one being prepared; more are built only if callers outrun the audio thread


@dataclass(frozen=True)
class ParamTarget:
    """A parameter state: real units, in ParameterSpace order, read-only."""

    real: np.ndarray

    @classmethod
    def of(cls, real: np.ndarray) -> ParamTarget:
        array = np.array(real, dtype=float)  # a private copy nobody else can mutate
        array.setflags(write=False)
        return cls(array)


@dataclass(frozen=True)
class Prepared:
    """A chain at ``target``, primed with the input up to frame ``upto``; owned by the audio thread once taken."""

    target: ParamTarget
    chain: EffectChain
    upto: int


class ChainPool:
    def __init__(self, build: Callable[[], EffectChain], size: int = POOL_SIZE) -> None:
        self._build = build
        self.chains = [build() for _ in range(size)]  # every chain of the pool (read-only to the audio thread)
        self.idle: list[EffectChain] = self.chains[1:]  # the first is the audio thread's: heard from the start
        self.slot: deque[Prepared] = deque()
        self.returned: deque[EffectChain] = deque()

    @property
    def first(self) -> EffectChain:
        return self.chains[0]

    # -- preparing threads -----------------------------------------------------------------------------------
    def idle_chain(self) -> EffectChain:
        """A chain no other thread uses: one given back by the audio thread, one it never took, or (only if the
        callers outrun it) a new one."""
        while self.returned:
            self.idle.append(self.returned.popleft())
        try:
            self.idle.append(self.slot.popleft().chain)  # not taken yet: it is ours again
        except IndexError:
            pass
        try:
            return self.idle.pop()
        except IndexError:
            chain = self._build()
            self.chains.append(chain)
            return chain

    def hand_over(self, prepared: Prepared) -> None:
        self.slot.append(prepared)

    @property
    def pending(self) -> Prepared | None:
        """The prepared jump the audio thread has not taken yet, if any."""
        slot = self.slot
        return slot[0] if slot else None

    # -- the audio thread ------------------------------------------------------------------------------------
    def take(self) -> Prepared | None:
        if not self.slot:
            return None
        try:
            return self.slot.popleft()  # atomic: a preparer may be taking it back at this very moment
        except IndexError:
            return None

    def give_back(self, chain: EffectChain) -> None:
        self.returned.append(chain)

    def places(self) -> list[EffectChain]:
        """Where the chains are besides the audio thread's own (for tests): idle, handed over, given back."""
        return [*self.idle, *(p.chain for p in self.slot), *self.returned]
