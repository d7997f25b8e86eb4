"""Attributing software to vendors: normalization, the compiled catalog index, the scoring algorithm."""
