"""The staff file's schema: each mistake a newcomer makes is named, placed and given a fix."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake import staff_schema
from intake.config import ConfigError, load_config
from intake.staff_schema import check_text

GOOD_CATEGORY = '[[categories]]\ncode = "A"\ndigit = "1"\nnames = { en = "alpha", es = "alfa" }\n'


def test_the_bundled_file_has_no_problem_at_all() -> None:
    result = staff_schema.check_file(staff_schema.DEFAULT_CONFIG)
    assert result.problems == () and result.data is not None


@pytest.mark.parametrize(
    ("content", "where", "message", "fix"),
    [
        # unknown keys, with the nearest known one
        ('[prompts.en]\ngreting = "Hi"\n', "prompts.en.greting", "unknown key 'greting'",
         'did you mean "greeting"?'),
        ("[conversation]\ntimeout_secs = 5\n", "conversation.timeout_secs", "unknown key",
         "known keys here: languages, tries"),
        ('[city]\nagent_numbr = "+15555550100"\n', "city.agent_numbr", "unknown key",
         'did you mean "agent_number"?'),
        ('[prompt.en]\ngreeting = "Hi"\n', "prompt", "unknown key 'prompt'",
         'did you mean "prompts"?'),
        ('[prompts.en.voise]\ngreeting = "Hi"\n', "prompts.en.voise", "unknown key",
         'did you mean "voice"?'),
        ('[[categories]]\ncode = "A"\ndigit = "1"\nnames = { en = "a" }\n'
         'keyword = { en = ["a"] }\n', "categories[0].keyword", "unknown key",
         'did you mean "keywords"?'),
        # wrong types
        ('[conversation]\ntries = "three"\n', "conversation.tries", "'three' should be a whole",
         "tries = 3"),
        ("[conversation]\ntries = 0\n", "conversation.tries", "between 1 and 9", "tries = 3"),
        ("[conversation]\ntries = 12\n", "conversation.tries", "between 1 and 9", ""),
        ('[menu]\nserver_services = "all"\n', "menu.server_services", "'all' is not one of",
         "'words'"),
        ('[menu]\nhide = "OTHER"\n', "menu.hide", "should be a list", 'hide = ["OTHER"]'),
        ("[city]\nname = 42\n", "city.name", "should be text in quotes", "name ="),
        ('[city]\nname = ""\n', "city.name", "is empty", "words residents"),
        ('categories = { code = "A" }\n', "categories", "should be a list", ""),
        ('[pronunciations]\n"Elm St" = 3\n', 'pronunciations."Elm St"', "should be text", ""),
        # placeholders not offered by that prompt
        ('[prompts.en]\nfiled = "Your number is {ref}."\n', "prompts.en.filed",
         "{ref} is not offered", "did you mean {reference}?"),
        ('[prompts.es.sms]\nhouse_number = "Calle {streat}"\n', "prompts.es.sms.house_number",
         "{streat} is not offered", "did you mean {street}?"),
        ('[prompts.en]\ngreeting = "Welcome to {city"\n', "prompts.en.greeting",
         "without its partner", "{{"),
        ('[prompts.en]\ngreeting = "Hi {reference}"\n', "prompts.en.greeting",
         "{reference} is not offered", "{city}"),
        # missing translations: an error for a prompt
        ('[conversation]\nlanguages = ["en", "es", "fr"]\n[prompts.fr]\ngreeting = "Bonjour"\n',
         "prompts.fr.goodbye", "no fr wording for 'goodbye'", "[prompts.fr]"),
        ('[prompts.sp]\ngreeting = "Hola"\n', "prompts.sp", "language 'sp' is not offered",
         'did you mean "es"?'),
        # digits
        (GOOD_CATEGORY + '[[categories]]\ncode = "B"\ndigit = "1"\nnames = { en = "beta" }\n',
         "categories[1].digit", "digit 1: 'alpha' and 'beta'", "give 'beta' a digit"),
        ('[[categories]]\ncode = "A"\ndigit = "0"\nnames = { en = "a" }\n',
         "categories[0].digit", "digit 0 is reserved (talk to a person)", "1 to 8"),
        ('[[categories]]\ncode = "A"\ndigit = "12"\nnames = { en = "a" }\n',
         "categories[0].digit", "not one keypad key", ""),
        ('[[categories]]\ncode = "A"\ndigit = 4\nnames = { en = "a" }\n',
         "categories[0].digit", "should be text in quotes", 'digit = "1"'),
        (GOOD_CATEGORY + '[[categories]]\ncode = "A"\ndigit = "2"\nnames = { en = "b" }\n',
         "categories[1].code", "code 'A' is used by two categories", ""),
        ('[[categories]]\ncode = "A"\nnames = { en = "a" }\n', "categories[0].digit",
         "missing 'digit'", 'digit = "1"'),
        ('[[categories]]\ncode = "A"\ndigit = "1"\nnames = {}\n', "categories[0].names",
         "is empty", ""),
        ('[[categories]]\ncode = "pot hole"\ndigit = "1"\nnames = { en = "a" }\n',
         "categories[0].code", "one word without spaces", ""),
        # keywords
        ('[[categories]]\ncode = "T"\ndigit = "1"\nnames = { en = "trash" }\n'
         'keywords = { en = "trash" }\n', "categories[0].keywords.en",
         "should be a list in [brackets]: as text each letter", 'en = ["trash"]'),
        ('[[categories]]\ncode = "T"\ndigit = "1"\nnames = { en = "trash" }\n'
         'keywords = { en = ["trash", "t"] }\n', "categories[0].keywords.en[1]",
         "keyword 't' is a single letter", "whole words"),
        # phone numbers not in E.164
        ("[city]\nagent_number = 15555550100\n", "city.agent_number", "loses its +",
         'agent_number = "+15555550100"'),
        ('[city]\nagent_number = "555-555-0100"\n', "city.agent_number", "not a phone number in "
         "E.164", 'agent_number = "+15555550100"'),
        ('[city]\nagent_number = "+1 555 555 0100"\n', "city.agent_number", "E.164", ""),
        # hours and time zone
        ('[city]\nagent_hours = "weekdays nine to five"\n', "city.agent_hours",
         "is not like 'Mon-Fri 08:00-17:00'", "Sat 09:00-12:00"),
        ('[city]\nagent_hours = "Mon-Fri 8am-5pm"\n', "city.agent_hours", "is not like", ""),
        ('[city]\ntimezone = "America/Chicgo"\n', "city.timezone", "unknown timezone",
         'did you mean "America/Chicago"?'),
        # the file itself
        ("[city\nname=", "", "is not valid TOML", "quotes and brackets"),
    ],
)
def test_each_mistake_is_named_with_its_place_and_a_fix(content: str, where: str, message: str,
                                                        fix: str) -> None:
    result = check_text(content, "city.toml")
    assert result.data is None
    found = [p for p in result.errors if p.where == where and message in p.message]
    assert found, f"no error at {where!r} saying {message!r}:\n{result.report()}"
    assert fix in found[0].fix
    assert found[0].line is not None


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        ('[[categories]]\ncode = "G"\ndigit = "2"\nnames = { en = "graffiti" }\n',
         "categories[0].names",
         "no Spanish name for 'graffiti': the Spanish menu will read 'graffiti'"),
        (GOOD_CATEGORY.replace("names", 'keywords = { en = ["alpha"] }\nnames')
         + '[[categories]]\ncode = "B"\ndigit = "2"\nnames = { en = "b", es = "b" }\n'
         'keywords = { en = ["Alpha"] }\n', "categories[1].keywords.en",
         "keyword 'Alpha' chooses both 'alpha' and 'b'"),
        ('[prompts.en]\ngreeting = "Hello from {city}."\n', "prompts.en.greeting",
         "re-worded in English only"),
        ('[city]\nagent_display = ""\n', "city.agent_display", "call an empty number"),
    ],
)
def test_doubts_are_warnings_that_do_not_stop_the_service(content: str, where: str,
                                                          message: str) -> None:
    result = check_text(content, "city.toml")
    assert result.errors == [] and result.data is not None, result.report()
    assert any(p.where == where and message in p.message for p in result.warnings), \
        result.report()


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    content = (
        '[city]\nagent_number = 15555550100\n'          # 2
        '[conversation]\ntries = "three"\n'              # 4
        '[prompts.en]\ngreting = "Hi"\n'                 # 6
        'filed = "Ref {ref}"\n'                          # 7
        '[[categories]]\ncode = "G"\ndigit = "4"\nnames = { en = "graffiti" }\n'
        '[[categories]]\ncode = "T"\ndigit = "4"\nnames = { en = "trash" }\n'  # digit on 14
        'keywords = { en = "trash" }\n'                  # 16
    )
    result = check_text(content, "city.toml")
    assert [(p.line, p.where) for p in result.errors] == [
        (2, "city.agent_number"), (4, "conversation.tries"), (6, "prompts.en.greting"),
        (7, "prompts.en.filed"), (14, "categories[1].digit"), (16, "categories[1].keywords.en"),
    ]
    report = result.report()
    assert "city.toml:14: error: categories[1].digit: digit 4: 'graffiti' and 'trash'" in report
    assert report.endswith("6 errors, 3 warnings")


def test_load_config_refuses_a_broken_file_with_the_whole_report(tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text('[prompts.en]\ngreting = "Hi"\n[conversation]\ntries = "three"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(staff)
    text = str(caught.value)
    assert f"{staff}:2: error: prompts.en.greting" in text and f"{staff}:4:" in text
    assert caught.value.result is not None and len(caught.value.result.errors) == 2


def test_a_valid_file_over_the_defaults_keeps_the_rest(tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text('[city]\nname = "Springfield"\nagent_number = "+12175550100"\n'
                     '[prompts.en]\nfiled = "Filed! Number {reference}."\n'
                     '[prompts.es]\nfiled = "¡Listo! Número {reference}."\n')
    config = load_config(staff)
    assert config.agent_number == "+12175550100"
    assert config.prompts["en"]["filed"] == "Filed! Number {reference}."
    assert config.prompts["en"]["greeting"] == "Welcome to {city} 3 1 1."


@pytest.fixture
def upgraded_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A bundled file with what another issue adds: a new prompt, a new setting, a new table."""
    bundled = tmp_path / "default_config.toml"
    shutil.copy(staff_schema.DEFAULT_CONFIG, bundled)
    text = bundled.read_text()
    text = text.replace("[conversation]\n", '[conversation]\npatience = 2\n', 1)
    text = text.replace("[prompts.en]\n", '[prompts.en]\nreport_recap = "You are reporting '
                        '{category} at {address}. Press 1 to file it."\n', 1)
    text = text.replace("[prompts.es]\n", '[prompts.es]\nreport_recap = "Reporta {category} en '
                        '{address}. Oprima 1."\n', 1)
    text += '\n[callbacks]\nenabled = true\nmax_per_day = 20\n'
    bundled.write_text(text)
    monkeypatch.setattr(staff_schema, "DEFAULT_CONFIG", bundled)
    staff_schema.forget()
    yield bundled
    monkeypatch.undo()
    staff_schema.forget()


def test_keys_and_placeholders_added_to_the_bundled_file_are_known_at_once(
        upgraded_defaults: Path) -> None:
    assert check_text(upgraded_defaults.read_text()).problems == ()
    ok = check_text('[prompts.en]\nreport_recap = "{category} at {address}?"\n'
                    '[prompts.es]\nreport_recap = "¿{category} en {address}?"\n'
                    "[callbacks]\nmax_per_day = 5\n")
    assert ok.errors == [], ok.report()
    bad = check_text('[prompts.en]\nreport_recp = "x"\nreport_recap = "{categry}"\n'
                     '[callbacks]\nmax_per_day = "many"\nenable = true\n')
    shown = {p.where: (p.message, p.fix) for p in bad.errors}
    assert shown["prompts.en.report_recp"][1] == 'did you mean "report_recap"?'
    assert "did you mean {category}?" in shown["prompts.en.report_recap"][1]
    assert "should be a whole number" in shown["callbacks.max_per_day"][0]
    assert shown["callbacks.enable"][1] == 'did you mean "enabled"?'
