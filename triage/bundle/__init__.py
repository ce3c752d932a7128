"""Signed evidence bundles for the police, and their offline verification."""
