"""The lstm-shapes pytest plugin (registered through the ``pytest11`` entry point).

It must stay cheap to import: pytest loads it in every run in this environment.
"""

# The exercise fixtures (``answers``) and their options live with the exercises.
pytest_plugins = ["lstm_shapes.exercises._pytest"]
