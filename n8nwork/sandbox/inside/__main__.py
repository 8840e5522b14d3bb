"""Entry point of the sandbox processes: ``python -I -S -B inside/__main__.py --zygote FD``.

Puts the directory above this package on ``sys.path`` just long enough to import it as the
top-level package ``inside`` (so that nothing of n8nwork is loaded), then runs the zygote.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        from inside.zygote import main
    finally:
        del sys.path[0]
    sys.exit(main(sys.argv))
