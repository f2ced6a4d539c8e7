"""Tests of the assets app."""
