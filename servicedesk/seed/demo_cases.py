"""A handful of demo cases in different states, so the clerk's pages show content."""

from __future__ import annotations

from servicedesk.accounts.models import User
from servicedesk.accounts.service import Principal
from servicedesk.cases import service as cases
from servicedesk.cases import transitions
from servicedesk.firms import uscc as codes

DEMO_FIRM = "北京智算未来科技有限公司"  # the firm behind the demo cases


async def seed_cases() -> None:
    clerk = Principal(user=await User.get(username="clerk-hd"))
    uscc, name = codes.complete("91110108MA01ABCD"), DEMO_FIRM
    submitted = await cases.submit(
        principal=clerk,
        service_point="HD-AI",
        matter_code="HTE-CERT",
        uscc=uscc,
        firm_name=name,
        materials=[
            "application",
            "license",
            "ip_certificates",
            "rd_audit",
            "hitech_income",
            "financials_3y",
        ],
    )
    await transitions.accept(submitted.case.case_no, principal=clerk, with_deficiency=True)
    returned = await cases.submit(
        principal=clerk,
        service_point="HD-AI",
        matter_code="REG-CHANGE",
        uscc=uscc,
        firm_name=name,
        materials=["change_application", "license"],
    )
    await transitions.return_for_correction(
        returned.case.case_no,
        principal=clerk,
        items=[{"material_code": "license", "problem": "营业执照复印件未加盖公章"}],
    )
    await cases.submit(
        principal=clerk,
        service_point="HD-AI",
        matter_code="GENAI-FILING",
        uscc=uscc,
        firm_name=name,
        materials=["filing_form", "security_assessment", "corpus_note", "agreement"],
    )
