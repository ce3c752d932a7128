"""Schildwacht spiders: one per source (file replay, Mastodon, ...)."""
