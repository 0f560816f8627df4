"""Pure transforms: page bytes → clean report → polars frames. No I/O beyond reading config/."""
