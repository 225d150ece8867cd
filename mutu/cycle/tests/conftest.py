from mutu.mapping.tests.conftest import open_round, scored_round, tiny  # noqa: F401  (shared fixtures)
