"""What an operator does from the command line: organizations and keys by id, the demo seed.

The top of the core: it works through the same use-cases a client calls.

May import: any models package.
"""
