"""Talking to the tools the players already use: FluCoMa files (flucoma.py) and OSC in and out (osc.py).

Nothing here imports the terminal or the sound card: a headless `rlfx-tui serve`, the app and the tests share it.
"""
