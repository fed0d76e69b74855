"""The exercise series: manifest, learner progress, notebook check/hint, answers protocol."""
