"""The checks, one module per kind, each with its pytest file beside it (``pytest verify`` collects them).  They import the model and the judge, never the report."""
