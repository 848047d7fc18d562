# The licensing fixtures (licence, product, signing key) are shared with the home pages' tests.
# ... and the labs' (an accredited lab with its staff, a sample) with the lab's and company's home pages.
from hami.labs.tests.conftest import cheap_lab, cheap_lab_user, requirements, sample  # noqa: F401
from hami.licensing.tests.conftest import licence, milk_standard, product, qazvin_key  # noqa: F401
