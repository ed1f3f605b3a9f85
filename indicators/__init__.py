"""Figures, intervals, statuses, ranks and the briefing: pure pandas, no I/O."""
