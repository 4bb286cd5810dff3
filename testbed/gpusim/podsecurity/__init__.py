"""Pod Security admission: the Pod Security Standards checks and the namespace-label policy."""
