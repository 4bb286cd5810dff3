"""The smallest scenario text the parsing tests edit: one node with one GPU."""

TWO_NODES = """\
name: t
nodes:
  - name: a
    gpus:
      count: 1
      model: Tesla T4
"""
