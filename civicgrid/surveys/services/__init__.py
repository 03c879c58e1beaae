"""Writes of the surveys app, one module per part (questionnaires, training, secretaries,
welfare). Every function takes a keyword-only ``actor`` (None is the system) and is atomic."""
