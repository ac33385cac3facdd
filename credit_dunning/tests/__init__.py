from . import test_dunning_letter
from . import test_dunning_policy
from . import test_dunning_run
