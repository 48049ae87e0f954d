"""The hostile-input corpus (corpus.py) and its writer (build.py)."""
