"""tutor: a terminal tutor for deep-learning interview topics."""

__version__ = "0.1.0"
