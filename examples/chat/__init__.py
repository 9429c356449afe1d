"""A small typed chat: the typedws demo app."""
