"""The exercises' tool, ./course: learner loop and grader (see cli.py)."""
