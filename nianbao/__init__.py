"""nianbao: Chinese county annual reports → a DuckDB warehouse for year-over-year queries."""

__version__ = "0.1.0"
