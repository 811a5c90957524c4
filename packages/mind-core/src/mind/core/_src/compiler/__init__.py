"""The compiler: passes over MindIR, the pass manager that runs them, and the memory planner.

Every pass is a pure ``FuncGraph -> FuncGraph`` function; the built-in ones register through
``mind_register_passes`` (``plugin.py``) exactly as a third party's would.
"""
