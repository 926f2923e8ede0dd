"""Checkers that turn the paper's safety claims into code that can fail."""

from .invariants import (INVARIANT_KEYS, INVARIANT_LABELS, INVARIANTS, LINEARIZABILITY, InvariantChecker, Violation,
                         invariant_key)

__all__ = ["INVARIANTS", "INVARIANT_KEYS", "INVARIANT_LABELS", "LINEARIZABILITY", "InvariantChecker", "Violation",
           "invariant_key"]
