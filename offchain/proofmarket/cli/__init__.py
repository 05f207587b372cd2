"""The ``proofmarket`` command line: thin click commands over library calls."""
