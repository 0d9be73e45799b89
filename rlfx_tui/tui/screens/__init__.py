"""Screens: the main rehearsal screen and the help screen."""
