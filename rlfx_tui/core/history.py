"""The settings the player has heard, to go back and forward through (backspace, ]), like a browser's history but
never losing one: a new setting heard after going back is added after the end, preceded by the setting it came
from, so every setting heard stays reachable by going back."""

from __future__ import annotations

from collections.abc import Mapping

HISTORY_LENGTH = 100


class SettingHistory:
    def __init__(self, first: Mapping[str, float], length: int = HISTORY_LENGTH) -> None:
        self.length = int(length)
        self._settings: list[dict[str, float]] = [dict(first)]
        self._at = 0

    def __len__(self) -> int:
        return len(self._settings)

    @property
    def position(self) -> int:
        """Index of the setting heard now (0 = the oldest kept)."""
        return self._at

    def heard(self, setting: Mapping[str, float]) -> None:
        """A new setting is in force (a jump, a recall, a follow-mode setting at a label)."""
        setting = dict(setting)
        if self._at != len(self._settings) - 1:  # heard after going back: keep the way back to where we were
            self._append(self._settings[self._at])
        self._append(setting)

    def back(self) -> dict[str, float] | None:
        """The setting heard before this one, or None at the oldest kept."""
        if self._at == 0:
            return None
        self._at -= 1
        return dict(self._settings[self._at])

    def forward(self) -> dict[str, float] | None:
        """The setting heard after this one (after going back), or None at the newest."""
        if self._at >= len(self._settings) - 1:
            return None
        self._at += 1
        return dict(self._settings[self._at])

    def _append(self, setting: dict[str, float]) -> None:
        if self._settings[-1] != setting:
            self._settings.append(setting)
        del self._settings[: max(0, len(self._settings) - self.length)]
        self._at = len(self._settings) - 1
