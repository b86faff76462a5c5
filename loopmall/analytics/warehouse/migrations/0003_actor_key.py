"""events.actor_key (one int64 per person, see derive.py), the anonymous_keys table behind it, and the
fact tables stored in time order so window filters skip the row groups outside the window."""

from loopmall.analytics.warehouse import derive


def apply(con) -> None:
    derive.rederive(con)
