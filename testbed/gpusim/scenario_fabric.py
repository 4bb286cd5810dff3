"""A GPU node's ``host.fabric`` section: an NVSwitch system and its Fabric Manager.

``fabric: {nvswitches: 4, manager: running}`` is an HGX H100 board as it should be; ``manager: stopped`` (installed,
not running) or ``missing`` (not installed) leaves every GPU's fabric state "Not Started", ``state: in-progress`` a
manager still training the links. A fabric completes only under a running manager.
"""

from __future__ import annotations

from typing import cast

from gpusim.model import FabricManagerState, FabricSetup, FabricState
from gpusim.scenario_yaml import Value

FABRIC_FIELDS = ("nvswitches", "manager", "state")
MANAGER_STATES = ("running", "stopped", "missing")
FABRIC_STATES = ("completed", "in-progress", "not-started")
MAX_NVSWITCHES = 18  # an NVL72 rack's compute tray sees at most 18 NVLink switch chips


def parse_fabric(value: Value) -> FabricSetup | None:
    """The declared fabric; null: none. The state follows the manager unless given."""
    if value.is_null:
        return None
    fields = value.mapping(FABRIC_FIELDS)
    nvswitches = fields.read("nvswitches", lambda v: v.integer(minimum=1, maximum=MAX_NVSWITCHES), 4)
    manager = cast(FabricManagerState, fields.choice("manager", MANAGER_STATES, "running"))
    state = cast(FabricState, fields.choice("state", FABRIC_STATES,
                                            "completed" if manager == "running" else "not-started"))
    if state != "not-started" and manager != "running":
        raise fields.require("state").error(f"a fabric is trained only by a running fabric manager; manager is "
                                            f"{manager}, so its state is not-started")
    return FabricSetup(nvswitches=nvswitches, manager=manager, state=state)
