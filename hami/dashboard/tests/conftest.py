# The licensing fixtures (licence, product, signing key) are shared with the home pages' tests.
from hami.licensing.tests.conftest import licence, milk_standard, product, qazvin_key  # noqa: F401
