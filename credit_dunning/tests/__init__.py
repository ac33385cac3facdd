from . import test_dunning_fee
from . import test_dunning_interest
from . import test_dunning_letter
from . import test_dunning_pause
from . import test_dunning_policy
from . import test_dunning_review
from . import test_dunning_run
from . import test_dunning_send
