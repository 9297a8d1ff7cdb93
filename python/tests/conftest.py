import os
import sys

# The tests import the package from this checkout (python/denseam), whatever the current directory.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
