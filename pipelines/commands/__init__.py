"""One module per `jembatan` sub-command, each with `register(subparsers)`.

`jembatan` imports every command module to build its parser, so a command imports the project's heavy
modules (pandas, DuckDB, Dagster: seconds) inside the functions that run it: deferred, not hiding a cycle
(tests/test_import_graph.py counts these imports in the graph too)."""
