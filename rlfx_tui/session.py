"""The public home of the Session API: `from rlfx_tui.session import Session`."""

from rlfx_tui.core.session import Session

__all__ = ["Session"]
