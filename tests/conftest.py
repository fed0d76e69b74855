import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TF start-up chatter out of test output

pytest_plugins = ["pytester"]

# Keras's own RNN tests, run only in a child pytest by tests/pytest_plugin/test_keras_rnn_suite.py
collect_ignore = ["third_party"]
