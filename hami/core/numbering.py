"""Human-readable running numbers (`QAZ-1405-000123`), one sequence per prefix."""

from django.db import models


def next_number(model: type[models.Model], prefix: str, *, field: str = "number", width: int = 6) -> str:
    """`prefix` followed by one more than the highest number with that prefix, zero-padded.

    Call it inside the transaction that inserts the row; the field's unique constraint turns the rare
    race between two writers into an IntegrityError rather than a duplicate number."""
    last = (
        model.objects.filter(**{f"{field}__startswith": prefix})
        .order_by(f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    sequence = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{sequence:0{width}d}"
