"""Checkers that turn the paper's safety claims into code that can fail."""

from .invariants import INVARIANTS, InvariantChecker, Violation

__all__ = ["INVARIANTS", "InvariantChecker", "Violation"]
