"""Iran's provinces and counties, from hami/core/data/provinces.json (see its "source")."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "provinces.json"


def load_divisions(province_model, county_model) -> int:
    """Create the provinces and counties that are missing; return how many provinces were created.

    Takes the model classes so the data migration can pass its historical models.
    """
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    created = added_counties = 0
    for item in data["provinces"]:
        province, was_created = province_model.objects.get_or_create(
            code=item["code"], defaults={"name_fa": item["name_fa"], "name_en": item["name_en"]}
        )
        created += was_created
        existing = set(county_model.objects.filter(province=province).values_list("code", flat=True))
        added_counties += len(
            county_model.objects.bulk_create(
                county_model(province=province, code=c["code"], name_fa=c["name_fa"], name_en=c["name_en"])
                for c in item["counties"]
                if c["code"] not in existing
            )
        )
    # Outside the first migration (whose historical models have no coordinates yet, migration 0008
    # loads them there), recreated counties get their seats' coordinates back.
    if added_counties and any(field.name == "latitude" for field in county_model._meta.get_fields()):
        from hami.core.geo import load_seat_coordinates

        load_seat_coordinates(province_model, county_model)
    return created
