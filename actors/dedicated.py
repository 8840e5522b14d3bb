"""``DedicatedRun``: one Ray actor for one run, for workflows whose settings ask for it
(``"settings": {"dedicatedActor": true}``, our extension: n8n ignores unknown settings).

A long or memory-heavy run then has a process of its own: it cannot slow the runs of a
shared host down, and its memory is returned when it ends. The actor runs the same run loop
as a shared host (``actors.hosting.HostCore`` holding one run), is named
``n8nwork-run-<execution id>`` so the Ray dashboard shows which run it is, and is removed by
the directory when its run finished or passivated. Creating it costs a Ray actor start
(about 0.3-0.5 s here), so it is for runs that last much longer than that.
"""

from __future__ import annotations

import ray

from actors.host import HostShell


@ray.remote(num_cpus=0)
class DedicatedRun(HostShell):
    """The actor of one run (``n8nwork-run-<execution id>``).

    Guarantees: the same as ``RunHost`` for its one run (checkpoint after every node, fenced
    by the run's lease epoch; a node failure or limit fails the node, not the actor). If the
    actor dies, the directory re-activates the run from its last checkpoint in a new
    dedicated actor. When the run finishes or passivates, the directory removes the actor;
    a resumed run gets a new one. Calls are idempotent as ``RunHost``'s.
    """
