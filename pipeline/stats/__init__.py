"""Pure statistical functions shared by metric modules and notebooks. Each has known-answer tests."""
