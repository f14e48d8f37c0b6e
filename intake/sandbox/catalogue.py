"""The sandbox's service catalogue: GeoReport v2 services and their definitions.

Plain frozen dataclasses, no I/O. `metadata` is derived: a service has a definition exactly
when it has attributes. The demo catalogue is made up for the demo town, not a real city's.
"""

from __future__ import annotations

from dataclasses import dataclass

DATATYPES = frozenset({"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"})
SERVICE_TYPES = frozenset({"realtime", "batch", "blackbox"})


@dataclass(frozen=True)
class AttributeValue:
    """One choice of a singlevaluelist or multivaluelist attribute."""

    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    """One attribute of a service definition (`variable=False`: information only)."""

    code: str
    description: str
    datatype: str = "string"
    required: bool = False
    variable: bool = True
    order: int = 1
    datatype_description: str | None = None
    values: tuple[AttributeValue, ...] = ()

    def __post_init__(self) -> None:
        if self.datatype not in DATATYPES:
            raise ValueError(f"attribute {self.code!r}: unknown datatype {self.datatype!r}")
        if self.datatype.endswith("valuelist") and not self.values:
            raise ValueError(f"attribute {self.code!r}: a {self.datatype} needs values")

    @property
    def keys(self) -> frozenset[str]:
        """The allowed keys of a list attribute."""
        return frozenset(v.key for v in self.values)


@dataclass(frozen=True)
class Service:
    """A service type. The last three fields are the sandbox's own workflow wording."""

    service_code: str
    service_name: str
    description: str
    group: str
    keywords: str
    type: str = "realtime"
    attributes: tuple[Attribute, ...] = ()
    agency_responsible: str | None = None
    service_notice: str | None = None
    closing_note: str = "The issue has been resolved."

    def __post_init__(self) -> None:
        if self.type not in SERVICE_TYPES:
            raise ValueError(f"service {self.service_code!r}: unknown type {self.type!r}")
        orders = [a.order for a in self.attributes]
        if len(set(orders)) != len(orders):
            raise ValueError(f"service {self.service_code!r}: attribute orders must be unique")

    @property
    def metadata(self) -> bool:
        """True when clients must fetch the service definition."""
        return bool(self.attributes)


_YES_NO = (AttributeValue("YES", "Yes"), AttributeValue("NO", "No"))

DEMO_SERVICES: tuple[Service, ...] = (
    Service(
        service_code="POTHOLE",
        service_name="Pothole",
        description="A hole or broken surface in the roadway.",
        group="Streets",
        keywords="pothole, hole, road, street, pavement, bache",
        agency_responsible="Demo City Department of Public Works",
        service_notice="Potholes are usually repaired within 3 business days.",
        closing_note="The pothole has been filled by the street crew.",
    ),
    Service(
        service_code="GRAFFITI",
        service_name="Graffiti",
        description="Graffiti on public property, or on private property visible from the street.",
        group="Sanitation",
        keywords="graffiti, tagging, vandalism, paint, grafiti",
        attributes=(
            Attribute(
                code="OFFENSIVE",
                description="Is it offensive?",
                datatype="singlevaluelist",
                required=True,
                order=1,
                datatype_description="Yes or no",
                values=_YES_NO,
            ),
            Attribute(
                code="PRIVATE_NOTE",
                description=(
                    "Graffiti on private property is referred to the owner, who has 10 days "
                    "to remove it."
                ),
                datatype="text",
                variable=False,
                order=2,
            ),
            Attribute(
                code="SURFACE",
                description="What is it painted on (wall, fence, sign, bench)?",
                datatype="string",
                order=3,
            ),
        ),
        agency_responsible="Demo City Sanitation Department",
        service_notice=(
            "Offensive graffiti is removed within 24 hours, other graffiti within 7 days."
        ),
        closing_note="The graffiti has been removed.",
    ),
    Service(
        service_code="STREETLIGHT",
        service_name="Streetlight out",
        description="A street light that is out, flickering or on during the day.",
        group="Streets",
        keywords="streetlight, street light, lamp, light out, dark, luz",
        agency_responsible="Demo City Electric Utility",
        service_notice="Street lights are usually repaired within 5 business days.",
        closing_note="The street light has been repaired.",
    ),
    Service(
        service_code="TRASH_MISSED",
        service_name="Missed trash pickup",
        description="Household trash or recycling that was not collected on the scheduled day.",
        group="Sanitation",
        keywords="trash, garbage, pickup, collection, recycling, missed, basura",
        agency_responsible="Demo City Sanitation Department",
        service_notice="Missed collections are picked up within 2 business days.",
        closing_note="The missed collection has been picked up.",
    ),
    Service(
        service_code="ABANDONED_VEHICLE",
        service_name="Abandoned vehicle",
        description="A vehicle that has not moved for more than 72 hours on a public street.",
        group="Transportation",
        keywords="abandoned, vehicle, car, truck, parked, auto, coche",
        attributes=(
            Attribute(
                code="PLATE",
                description="What is the licence plate number, if visible?",
                datatype="string",
                order=1,
            ),
            Attribute(
                code="CONDITION",
                description="What condition is the vehicle in?",
                datatype="multivaluelist",
                order=2,
                datatype_description="Choose all that apply",
                values=(
                    AttributeValue("FLAT", "Flat tyres"),
                    AttributeValue("BROKEN_GLASS", "Broken windows"),
                    AttributeValue("NO_PLATES", "No plates"),
                    AttributeValue("LEAKING", "Leaking fluids"),
                ),
            ),
            Attribute(
                code="DAYS",
                description="For how many days has it been parked there?",
                datatype="number",
                order=3,
            ),
        ),
        agency_responsible="Demo City Police Parking Enforcement",
        service_notice="An officer will tag the vehicle; it may be towed after 72 hours.",
        closing_note="The vehicle has been tagged and removed.",
    ),
    Service(
        service_code="OTHER",
        service_name="Other",
        description="Any other non-emergency problem in a public space.",
        group="General",
        keywords="other, general, something else, otro",
        agency_responsible="Demo City 311 Call Center",
        service_notice="A 311 agent will review your request and route it.",
        closing_note="Your request has been reviewed and handled.",
    ),
)
