"""The inside of the Python sandbox: code that runs in the zygote and in the sandboxed
children, never in the worker. It imports only the standard library, never n8nwork: the
parent runs ``python -I -S -B .../inside/__main__.py``, which imports this directory as the
top-level package ``inside``.

``zygote``  preload, then fork a fresh child per execution on the parent's request.
``child``   one execution: request frame in, lock-down, run, result frame out.
``guard``   the walls: import allow-list, privileges and rlimits, the audit hook, builtins.
``program`` what user code sees (n8n's Code node API) and how it is called.
"""
