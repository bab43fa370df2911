"""Guided screening protocols shipped with hfs-detect (TOML files)."""
