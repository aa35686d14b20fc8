"""Weight conversion: numpy layer ops (ops.py), the rule engine (engine.py), parity (parity.py)."""
