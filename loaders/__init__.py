"""Reading report workbooks: guard, readers in a child process, header resolution, checks."""

from loaders.load import load

__all__ = ["load"]
