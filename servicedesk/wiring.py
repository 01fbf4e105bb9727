"""Plugs higher domains into the ports of lower ones (the layering's inversions).

Every entry point that reaches the services calls :func:`install`: the app factory,
the console script and the test suite. Calling it again changes nothing.
"""

from __future__ import annotations

from servicedesk.cases import demand as case_demand
from servicedesk.cases import ports as case_ports
from servicedesk.catalogue import ports as catalogue_ports
from servicedesk.evaluations import satisfaction
from servicedesk.exemptions import recommendations
from servicedesk.exemptions import service as exemptions
from servicedesk.incubators import indicators
from servicedesk.queue import demand as ticket_demand


def install() -> None:
    case_ports.install(
        check_recommendation=recommendations.check_for_case,
        decide_inspection=exemptions.decide,
    )
    catalogue_ports.install([case_demand.cases_per_matter, ticket_demand.tickets_per_matter])
    indicators.install_derivers({satisfaction.INDICATOR: satisfaction.window_satisfaction})
