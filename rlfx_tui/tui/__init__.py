"""The terminal app (Textual). Build it with `rlfx_tui.tui.app.make_app`; nothing outside this package imports it."""
