"""Officials' registry, consent, retention and data-subject rights."""
