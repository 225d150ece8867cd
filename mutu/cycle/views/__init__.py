"""The pages, by the task they serve."""
