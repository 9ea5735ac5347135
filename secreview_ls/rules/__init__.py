"""The rule catalogue, one module per family; see ``registry``."""
