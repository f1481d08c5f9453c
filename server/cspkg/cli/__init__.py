"""The command line, `cspkg`: build, query and serve the graph (main.py); plans in and out (plans.py)."""
