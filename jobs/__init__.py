"""Trainings as jobs: each in a process of its own, watched by a thread of the web server (see jobs.training)."""
