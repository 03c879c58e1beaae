"""API views: thin. Reads start from the domain selectors, writes call the domain services."""
