"""Stand-in for the `mlx` package (tests only): see ../README.md."""
