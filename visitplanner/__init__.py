"""visitplanner: statutory home visits planned, assigned and published."""

__version__ = "0.1.0"
