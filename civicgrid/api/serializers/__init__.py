"""Serializers: the shapes of the API's JSON. They format and parse; they decide nothing."""
