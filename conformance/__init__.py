"""The conformance suite: one thin test module per area, and its pytest plugin (plugin/)."""
