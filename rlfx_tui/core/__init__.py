"""The headless core: presets, parameter space, effect chain, descriptors, dataset, learner, session.

Nothing here imports textual or sounddevice (tests/core/test_import_hygiene.py enforces it), so the whole
learning loop runs with no terminal and no sound card.
"""
