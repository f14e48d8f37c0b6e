"""Staff configuration: defaults always complete, staff files override, mistakes explained."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from conversation import PROMPTS, WITH_OPTIONS, Ask, Say
from intake.config import ConfigError, load_config
from intake.settings import Settings, mask_phone


@pytest.mark.parametrize("key", sorted(PROMPTS))
def test_every_prompt_the_conversation_speaks_has_wording_in_both_languages(key: str) -> None:
    config = load_config()
    channels, offered = PROMPTS[key]
    for channel in channels:
        wording = config.wording(channel)
        for lang in ("en", "es"):
            template = wording.template(lang, key)
            if key != "updates_by_text":  # may be empty by design on a call
                assert template, (channel, lang, key)
            filled = wording.text(lang, Say(key, {name: "x" for name in offered}))
            assert "{" not in filled, (channel, lang, key, filled)
            if key in WITH_OPTIONS:
                assert wording.template(lang, key + ".option"), (channel, lang, key)


def test_staff_file_overrides_one_prompt_and_keeps_the_rest(tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text('[city]\nname = "Springfield"\n'
                     '[prompts.en.sms]\ngreeting = "Hi from {city}!"\n')
    config = load_config(staff)
    sms = config.wording("sms")
    assert sms.text("en", Say("greeting")) == "Hi from Springfield!"
    assert "Springfield" in config.wording("voice").text("en", Say("greeting"))
    assert sms.text("en", Ask("address", "address"))


def test_staff_categories_replace_the_menu(tmp_path: Path) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text('[[categories]]\ncode = "TREE"\ndigit = "1"\nnames = { en = "fallen tree" }\n')
    assert [c.code for c in load_config(staff).menu] == ["TREE"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[city\nname=", "not valid TOML"),
        ('[[categories]]\ncode = "A"\n', "missing 'digit'"),
        ('[[categories]]\ncode = "A"\ndigit = "0"\nnames = {en = "a"}\n', "reserved"),
        ('[[categories]]\ncode = "A"\ndigit = "1"\nnames = {en = "a"}\n'
         '[[categories]]\ncode = "B"\ndigit = "1"\nnames = {en = "b"}\n', "digit 1: 'a' and 'b'"),
    ],
)
def test_config_mistakes_are_explained(tmp_path: Path, content: str, message: str) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config(staff)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.toml"):
        load_config(tmp_path / "nope.toml")


def test_unknown_placeholders_stay_visible_instead_of_crashing() -> None:
    """The file check refuses them; wording built another way still never raises."""
    config = load_config()
    prompts = {**config.prompts, "en": {**config.prompts["en"], "help": "Call {nobody}"}}
    odd = dataclasses.replace(config, prompts=prompts)
    assert odd.wording("voice").text("en", Say("help")) == "Call {nobody}"


def test_settings_defaults_work_without_any_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path)})
    assert settings.database_url.startswith("sqlite:///") and settings.demo
    assert settings.open311_endpoint is None and settings.streets_path.exists()
    assert settings.twilio_auth_token == Settings.from_env(
        {"INTAKE_VAR_DIR": str(tmp_path)}).twilio_auth_token


@pytest.mark.parametrize(("env", "on"), [
    ({}, True),  # make run: nothing set, the sandbox is the city
    ({"OPEN311_ENDPOINT": "https://city.example/open311/v2/"}, False),
    ({"OPEN311_DISCOVERY": "https://city.example/discovery.json"}, False),
    ({"OPEN311_ENDPOINT": "https://city.example/open311/v2/", "SANDBOX": "on"}, True),
    ({"OPEN311_ENDPOINT": "https://city.example/open311/v2/", "SANDBOX": "auto"}, False),
    ({"SANDBOX": "on"}, True),
])
def test_the_sandbox_is_mounted_only_without_a_city_server(
    tmp_path: Path, env: dict[str, str], on: bool
) -> None:
    assert Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), **env}).sandbox_on is on


@pytest.mark.parametrize(("env", "says"), [
    ({"SANDBOX": "maybe"}, "SANDBOX must be on, off or auto"),
    ({"SANDBOX": "off"}, "SANDBOX=off needs OPEN311_ENDPOINT"),
    ({"CATALOGUE_SYNC_SECONDS": "0"}, "CATALOGUE_SYNC_SECONDS must be a positive number"),
    ({"MEDIA_STORE": "s3"}, "MEDIA_STORE=s3 needs MEDIA_S3_BUCKET"),
    ({"MEDIA_STORE": "ftp"}, "MEDIA_STORE must be one of disk, s3"),
    ({"MEDIA_STORE": "s3", "MEDIA_S3_BUCKET": "b", "MEDIA_S3_URL_DAYS": "30"}, "at most 7"),
])
def test_sandbox_and_sync_settings_are_checked(tmp_path: Path, env: dict[str, str],
                                               says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Settings.from_env({"INTAKE_VAR_DIR": str(tmp_path), **env})


@pytest.mark.parametrize(("number", "masked"), [("+16175550123", "+1******0123"),
                                                (None, "-"), ("whatsapp:+16175550123",
                                                              "+1******0123")])
def test_phone_numbers_are_masked_for_logs(number: str | None, masked: str) -> None:
    assert mask_phone(number) == masked


@pytest.mark.parametrize(
    ("utc", "open_"),
    [
        ("2026-11-23T15:00:00+00:00", True),   # Monday 09:00 in Chicago
        ("2026-11-23T13:59:00+00:00", False),  # Monday 07:59 in Chicago
        ("2026-11-23T23:00:00+00:00", False),  # Monday 17:00 in Chicago: closed at five
        ("2026-11-28T16:00:00+00:00", True),   # Saturday 10:00
        ("2026-11-29T16:00:00+00:00", False),  # Sunday
    ],
)
def test_transfers_only_within_agent_hours_in_city_time(tmp_path: Path, utc: str,
                                                        open_: bool) -> None:
    from datetime import datetime

    staff = tmp_path / "city.toml"
    staff.write_text('[city]\nagent_hours = "Mon-Fri 08:00-17:00; Sat 09:00-12:00"\n'
                     'timezone = "America/Chicago"\n')
    assert load_config(staff).agent_open(datetime.fromisoformat(utc)) is open_


def test_no_agent_line_means_no_transfers(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    staff = tmp_path / "city.toml"
    staff.write_text('[city]\nagent_number = ""\n')
    assert load_config(staff).agent_open(datetime.now(UTC)) is False


@pytest.mark.parametrize(("content", "message"), [
    ('[city]\nagent_hours = "weekdays nine to five"\n', "Mon-Fri 08:00-17:00"),
    ('[city]\ntimezone = "Mars/Olympus"\n', "unknown timezone"),
    ('[menu]\nserver_services = "all"\n', "server_services"),
    ('[conversation]\ntries = 0\n', "between 1 and 9"),
])
def test_more_config_mistakes_are_explained(tmp_path: Path, content: str, message: str) -> None:
    staff = tmp_path / "city.toml"
    staff.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config(staff)
