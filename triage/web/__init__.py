"""Support staff's web application (FastAPI, server-rendered Dutch UI, JSON API)."""
