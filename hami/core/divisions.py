"""Iran's provinces and counties, from hami/core/data/provinces.json (see its "source")."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "provinces.json"


def load_divisions(province_model, county_model) -> int:
    """Create the provinces and counties that are missing; return how many provinces were created.

    Takes the model classes so the data migration can pass its historical models.
    """
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    created = 0
    for item in data["provinces"]:
        province, was_created = province_model.objects.get_or_create(
            code=item["code"], defaults={"name_fa": item["name_fa"], "name_en": item["name_en"]}
        )
        created += was_created
        existing = set(county_model.objects.filter(province=province).values_list("code", flat=True))
        county_model.objects.bulk_create(
            county_model(province=province, code=c["code"], name_fa=c["name_fa"], name_en=c["name_en"])
            for c in item["counties"]
            if c["code"] not in existing
        )
    return created
