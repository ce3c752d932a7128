"""Training and evaluation of the Dutch classifier, with their data: generated posts, the hand-written training
replies (replies/, replies_pending/), the probe replies and the loaders of the shared data sets.

Lives only in the source checkout: the wheel and the Docker image leave it out, and the runtime (`classifiers`,
the classify worker) never imports it. It may import `classifiers` and the shared core `schildwacht`; only the
commands `schildwacht train` and `schildwacht evaluate` (schildwacht/app/training_cli.py) import it, lazily.
"""
