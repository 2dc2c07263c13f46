"""The Train page's settings in the page address, so a teacher shares one link and a class starts alike.

Every value read from a link is checked against the same limits as its widget (ui.settings.FIELDS, the one
table of settings); what does not make sense is ignored with a message.
"""
from ui.settings import FIELDS, Setting


class Unusable(ValueError):
    """A value that parses but makes no sense here; the message says why."""


def checked(setting: Setting, text: str):
    """The widget's value for a link's text, within the widget's own limits."""
    value, options = setting.from_text(text), setting.options
    if setting.widget in ("number_input", "slider"):
        low, high = options["min_value"], options["max_value"]
        if not low <= value <= high:
            raise Unusable(f"outside {low:g} to {high:g}")
    elif setting.widget in ("selectbox", "select_slider"):
        if value not in options["options"]:
            raise Unusable(f"not one of {', '.join(map(str, options['options']))}")
    else:  # a text box: its value is what its parser makes of it, written back the way the form writes it
        try:
            value = setting.from_config(setting.to_config(value))
        except ValueError as err:
            raise Unusable(str(err).partition(": ")[2] or str(err)) from None
    return value


def settings_from_url(params: dict) -> tuple:
    """({widget key: value} for the valid parameters, [a message for each one ignored])."""
    values, ignored = {}, []
    for key, setting in FIELDS.items():
        if setting.url not in params:
            continue
        text = str(params[setting.url])
        try:
            values[key] = checked(setting, text)
        except Unusable as err:
            ignored.append(f"{setting.url}={text[:40]!r} ({err})")
        except (ValueError, TypeError):
            ignored.append(f"{setting.url}={text[:40]!r} (not a number)")
    return values, ignored


def url_from_settings(values) -> dict:
    """The URL parameters for the current widget values."""
    return {setting.url: setting.to_text(values[key]) for key, setting in FIELDS.items() if key in values}
