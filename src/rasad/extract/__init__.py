"""Extraction stages: mentions, linking, discovery."""
