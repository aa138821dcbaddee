"""One module per `jembatan` sub-command, each with `register(subparsers)`."""
