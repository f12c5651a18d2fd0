"""checklist — one list (一张清单) per court-enforcement officer, merged from every campaign."""

__version__ = "0.2.0.dev0"
