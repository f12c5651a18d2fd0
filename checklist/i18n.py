"""The interface in the officers' language: Simplified Chinese or English, through gettext.

Every message the tool shows is written in English in the code and passed through ``_()`` (or
``ngettext()`` where English has plurals); the Chinese is in
``checklist/locale/zh_CN/LC_MESSAGES/checklist.po``, compiled to the ``.mo`` beside it that
gettext reads (``python scripts/i18n.py extract`` / ``compile``; tests/test_i18n.py keeps them
complete and in step).

The language comes from ``--lang zh|en``, else ``CHECKLIST_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES`` or ``LANG`` starting with ``zh``), else English. It is chosen once, when a command
starts (``set_language``); until then messages are English. JSON for scripts never changes with
the language: only what people read does.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path

DOMAIN = "checklist"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
language = "en"


def _(message: str) -> str:
    """The message in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is shown ("due" a date, or "due" a count)."""
    return _translation.pgettext(context, message)


def normalise(value: str) -> str | None:
    """'zh', 'zh_CN.UTF-8', 'zh-Hans' → 'zh'; 'en_US' → 'en'; anything else → None."""
    text = value.strip().lower()
    for lang in LANGUAGES:
        if text == lang or text.startswith((lang + "_", lang + "-", lang + ".")):
            return lang
    return None


def choose_language(option: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """``--lang``, else CHECKLIST_LANG, else the locale, else English; ValueError for a bad choice."""
    for source, value in (("--lang", option), ("CHECKLIST_LANG", environ.get("CHECKLIST_LANG"))):
        if value:
            lang = normalise(value)
            if lang is None:
                raise ValueError(f"{source} takes zh or en, not '{value}'")
            return lang
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(lang: str) -> None:
    """Use ``lang`` for every message from now on, ours and the command-line library's."""
    global _translation, language
    language = lang
    if lang == "zh":
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=["zh_CN"], fallback=True)
    else:
        _translation = gettext.NullTranslations()
    # The command-line library asks gettext's global domain for its own words ("Usage:", option
    # errors); point that at our catalogue too.
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "zh_CN" if lang == "zh" else "en"


# -- dates, as each audience reads them ---------------------------------------------------------------

_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def every_word(every: str) -> str:
    """A schedule in a word: weekly, 每周."""
    return {
        "day": _("daily"), "week": _("weekly"), "halfmonth": _("half-monthly"), "month": _("monthly"),
        "quarter": _("quarterly"), "year": _("yearly"), "once": _("once"),
    }[every]


def weekday_name(index: int) -> str:
    """0 → 'Mon' / '周一'."""
    return (_WEEKDAYS_ZH if language == "zh" else _WEEKDAYS_EN)[index]


def weekday(day: date) -> str:
    return weekday_name(day.weekday())


def short_date(day: date) -> str:
    """'11月27日 周五' or 'Fri 27 Nov'."""
    if language == "zh":
        return f"{day.month}月{day.day}日 {weekday(day)}"
    return f"{weekday(day)} {day.day} {_MONTHS_EN[day.month - 1]}"


def compact_date(day: date) -> str:
    """'11-27 周五' or 'Fri 27 Nov': a date in a narrow column."""
    if language == "zh":
        return f"{day.month:02d}-{day.day:02d} {weekday(day)}"
    return short_date(day)


def long_date(day: date) -> str:
    """'2026年11月27日 周五' or 'Fri 27 Nov 2026'."""
    if language == "zh":
        return f"{day.year}年{short_date(day)}"
    return f"{short_date(day)} {day.year}"


def relative(due: date, today: date) -> str:
    """'今天', '明天', '3天后', '逾期3天' — or 'today', 'tomorrow', 'in 3d', '3d late'."""
    delta = (due - today).days
    if delta < 0:
        return _("{n}d late").format(n=-delta)
    if delta == 0:
        return _("today")
    if delta == 1:
        return _("tomorrow")
    return _("in {n}d").format(n=delta)
