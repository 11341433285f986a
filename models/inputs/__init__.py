"""What a use-case does with a caller's input: the checks that collect InputErrors (a code,
the path of the offending field, a message) and the Rejected that carries them out.

Pure: no I/O, no database.

May import: models.billing, models.inputs.
"""
