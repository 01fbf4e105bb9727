"""Plugs higher domains into the ports of lower ones (the layering's inversions).

Every entry point that reaches the services calls :func:`install`: the app factory,
the console script and the test suite. Calling it again changes nothing.
"""

from __future__ import annotations

from servicedesk.cases import contact as case_contact
from servicedesk.cases import demand as case_demand
from servicedesk.cases import ports as case_ports
from servicedesk.catalogue import ports as catalogue_ports
from servicedesk.evaluations import satisfaction
from servicedesk.exemptions import recommendations, spotchecks
from servicedesk.exemptions import service as exemptions
from servicedesk.incubators import derived
from servicedesk.notifications import ports as notification_ports
from servicedesk.queue import demand as ticket_demand


def install() -> None:
    case_ports.install(
        check_recommendation=recommendations.check_for_case,
        decide_inspection=exemptions.decide,
        find_recommendation=recommendations.find_by_code,
    )
    catalogue_ports.install([case_demand.cases_per_matter, ticket_demand.tickets_per_matter])
    derived.install("spot_check_pass_rate", spotchecks.pass_rate)
    notification_ports.install(case_point=case_contact.service_point_of)
    derived.install("window_satisfaction", satisfaction.provider)
