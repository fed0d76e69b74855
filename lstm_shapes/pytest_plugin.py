"""The lstm-shapes pytest plugin (registered through the ``pytest11`` entry point).

It must stay cheap to import: pytest loads it in every run in this environment.
"""
