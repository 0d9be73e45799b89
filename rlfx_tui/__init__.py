"""rlfx-tui: swipe right on effect settings; a model learns what you like for the sound you play."""

__version__ = "0.1.0"
