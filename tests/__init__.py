"""bridge test suite (a package, so tests/validation never shadows the validation package)."""
