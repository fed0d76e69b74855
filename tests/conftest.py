import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TF start-up chatter out of test output

pytest_plugins = ["pytester"]
