"""``python -m openapi_client``: the command line (see :mod:`openapi_client.cli`)."""

import sys

from openapi_client.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m openapi_client"))
