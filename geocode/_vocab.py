"""Word tables: USPS Publication 28 street types and unit words, directionals, fillers.

Keys are lower-case spellings; values are the canonical key both the gazetteer and the
queries are reduced to, so "Avenue", "av" and "Ave" compare equal.
"""

from __future__ import annotations

_SUFFIXES: dict[str, tuple[str, ...]] = {
    "aly": ("alley", "allee", "ally"),
    "anx": ("annex", "anex", "annx"),
    "arc": ("arcade",),
    "ave": ("av", "aven", "avenu", "avenue", "avn", "avnue"),
    "blvd": ("boulevard", "boul", "boulv"),
    "brg": ("bridge", "brdge"),
    "byp": ("bypass", "bypa", "bypas", "byps"),
    "cswy": ("causeway", "causwa"),
    "ctr": ("center", "centre", "cent", "centr", "cnter", "cntr"),
    "cir": ("circle", "circ", "circl", "crcl", "crcle"),
    "ct": ("court", "crt"),
    "cv": ("cove",),
    "xing": ("crossing", "crssng"),
    "dr": ("drive", "driv", "drv"),
    "ext": ("extension", "extn", "extnsn"),
    "fwy": ("freeway", "freewy", "frway", "frwy"),
    "gdns": ("gardens", "gdn", "garden", "gardn", "grden", "grdn"),
    "grn": ("green",),
    "hwy": ("highway", "highwy", "hiway", "hiwy", "hway"),
    "hl": ("hill",),
    "holw": ("hollow", "hllw", "hollows", "holws"),
    "ln": ("lane",),
    "lndg": ("landing", "lndng"),
    "loop": ("loops",),
    "mall": (),
    "mews": (),
    "pk": ("park", "prk", "parks"),
    "pkwy": ("parkway", "parkwy", "pkway", "pky", "parkways", "pkwys"),
    "pass": (),
    "path": ("paths",),
    "pike": ("pikes",),
    "pl": ("place",),
    "plz": ("plaza", "plza"),
    "pt": ("point",),
    "rd": ("road",),
    "row": (),
    "run": (),
    "sq": ("square", "sqr", "sqre", "squ"),
    "st": ("street", "str", "strt", "streets"),
    "ter": ("terrace", "terr"),
    "tpk": ("turnpike", "tpke", "trnpk", "turnpk"),
    "trl": ("trail", "trails", "trls"),
    "walk": ("walks",),
    "way": ("wy",),
}

STREET_TYPES: dict[str, str] = {
    spelling: key for key, spellings in _SUFFIXES.items() for spelling in (key, *spellings)
}

#: Spoken form of each type, for speech hints ("Massachusetts Avenue").
SPOKEN_TYPES: dict[str, str] = {
    key: (spellings[0] if spellings else key) for key, spellings in _SUFFIXES.items()
}
SPOKEN_TYPES.update({"ave": "avenue", "pk": "park", "st": "street", "hl": "hill", "way": "way",
                     "loop": "loop", "path": "path", "pike": "pike", "walk": "walk"})

DIRECTIONALS: dict[str, str] = {
    "north": "n", "south": "s", "east": "e", "west": "w",
    "northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
    "n": "n", "s": "s", "e": "e", "w": "w", "ne": "ne", "nw": "nw", "se": "se", "sw": "sw",
}  # fmt: skip

#: Pub 28 secondary unit designators (C2); the designator and its identifier are dropped.
UNIT_WORDS = frozenset(
    "apt apartment unit suite ste fl floor rm room bldg building bld dept department lot "
    "ofc office ph penthouse spc space trlr trailer hngr hangar lbby lobby frnt rear "
    "uppr lowr bsmt #".split()
)

#: Designators that stand alone (no identifier follows).
BARE_UNITS = frozenset("frnt rear uppr lowr bsmt lbby lobby".split())

#: Words said before or between the address that carry no place information.
FILLER_WORDS = frozenset(
    "um umm uh uhh er erm hmm hm ah okay ok yeah yes so well like please just "
    "actually basically sorry".split()
)

#: Phrases (token tuples) dropped wherever they occur, longest first.
FILLER_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(p.split())
            for p in (
                "i am at", "i'm at", "im at", "i am on", "i'm on", "im on", "i live at",
                "i live on", "it is at", "it's at", "its at", "it is on", "it's on", "its on",
                "the address is", "address is", "my address is", "the location is",
                "location is", "it is", "it's", "its", "there is", "there's", "in front of",
                "right in front of", "out front of", "near", "nearby", "close to", "next to",
                "outside", "outside of", "across from", "across the street from", "by the",
                "at the corner of", "on the corner of", "the corner of", "corner of",
                "the intersection of", "intersection of", "at", "on", "around", "about",
                "i think", "you know", "let me see", "hold on", "the",
            )
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip

#: Words inside street names reduced to one spelling on both sides.
NAME_WORDS: dict[str, str] = {"mount": "mt", "saint": "st", "fort": "ft", "mt.": "mt"}

US_STATES = frozenset(
    "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh "
    "nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc".split()
)

#: Titles people leave out when they say a name: "O'Brien Highway" for "Monsignor OBrien Hwy".
HONORIFICS = frozenset(
    "monsignor msgr msr cardinal corporal cpl sergeant sgt general gen bishop father fr "
    "reverend rev doctor captain capt lieutenant lt president senator mayor governor".split()
)
