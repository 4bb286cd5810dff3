"""RBAC for the simulated API: rule matching, the authorizer over stored roles and bindings, the bootstrap policy."""
