"""Resilia's dependency analysis engine: pure Python + numpy over plain data, no Django.

Compile a model once (:func:`compile_model`), then ask it what-if questions, the recovery
order, objective/capability gaps, single points of failure and the neighbourhood of a node.
See docs/engine.md.
"""

from .compile import CompiledGraph, compile_arrays, compile_model
from .gaps import ActivityGap, Gaps, RecoveryBound, ResourceGap, gaps, recovery_bound
from .model import ACTIVITY, RESOURCE, Link, ModelError, Node
from .neighbourhood import Neighbourhood, neighbourhood
from .order import RecoveryOrder, Required, recovery_order, required_objectives
from .spof import Spof, SpofReport, spof, spof_breaks
from .whatif import Impact, WhatIf, whatif

__all__ = [
    "ActivityGap",
    "Gaps",
    "Neighbourhood",
    "RecoveryOrder",
    "Required",
    "ResourceGap",
    "Spof",
    "SpofReport",
    "gaps",
    "recovery_bound",
    "RecoveryBound",
    "neighbourhood",
    "recovery_order",
    "required_objectives",
    "spof",
    "spof_breaks",
    "ACTIVITY",
    "RESOURCE",
    "CompiledGraph",
    "Impact",
    "Link",
    "ModelError",
    "Node",
    "WhatIf",
    "compile_arrays",
    "compile_model",
    "whatif",
]
