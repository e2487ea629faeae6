"""Who bridges whom: measures of position in the networkx views of the graph.

One measure family per module: :mod:`.centrality`, :mod:`.structural_holes` (Burt),
:mod:`.brokerage` (Gould and Fernandez), :mod:`.bridging` (bridges, articulation points, who lies
between whom), :mod:`.communities`; :mod:`.table` puts them in one row per actor.
"""

from .brokerage import ROLES, brokerage, brokerage_scores, expected_brokerage
from .bridging import brokers_between, cut_points, who_bridges
from .centrality import centralities
from .communities import communities
from .structural_holes import hierarchy, structural_holes

__all__ = ["ROLES", "brokerage", "brokerage_scores", "expected_brokerage", "brokers_between",
           "cut_points", "who_bridges", "centralities", "communities", "hierarchy",
           "structural_holes"]
