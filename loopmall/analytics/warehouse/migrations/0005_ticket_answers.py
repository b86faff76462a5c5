"""ticket_answers: each ticket's first answer, what after_sales_response_hours joins (derive.py)."""

from loopmall.analytics.warehouse import derive


def apply(con) -> None:
    derive.refresh_ticket_answers(con)
