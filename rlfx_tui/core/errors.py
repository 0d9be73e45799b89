"""Errors a user can cause. The CLI and the TUI print their message as one line, never a traceback."""


class RlfxError(Exception):
    """Base of every error whose message is meant for the user as it is."""


class PresetError(RlfxError):
    """A preset file is malformed: names the file, the key and what was expected."""

    def __init__(self, file: str, key: str, expected: str, got: object = None) -> None:
        self.file, self.key, self.expected, self.got = file, key, expected, got
        found = "" if got is None else f" (got {got!r})"
        super().__init__(f"{file}: {key}: expected {expected}{found}")


class DatasetError(RlfxError):
    """A dataset file cannot be read as it is. The file is never rewritten to 'fix' it."""


class ModelNotReadyError(RlfxError):
    """The mapping was asked for before any point was labelled good."""
