"""Shared test set-up: makes ``tests/`` importable so every tier can use :mod:`builders`."""
