pytest_plugins = ["gpu_conformance.sim.testing"]
