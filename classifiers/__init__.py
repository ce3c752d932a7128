"""Dutch classifiers for threats, abuse, gendered abuse and doxxing aimed at local officials."""

from .api import Classification, Classifier, ClassifyInput, OfficialRef, load_classifier  # noqa: F401

__all__ = ["Classification", "Classifier", "ClassifyInput", "OfficialRef", "load_classifier"]
