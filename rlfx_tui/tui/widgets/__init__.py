"""Widgets of the main screen; each shows one thing and is fed plain values by the screen."""
