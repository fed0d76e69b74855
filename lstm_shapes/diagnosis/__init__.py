"""Diagnosis: check_model, diagnosing() and explain() -- whole models and their data."""
