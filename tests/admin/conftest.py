"""Fixtures for the admin tests."""
