"""End-to-end runs of the programs in examples/ (the talk's programs)."""
