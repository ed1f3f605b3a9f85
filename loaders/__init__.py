"""Reading report workbooks: guard, readers in a child process, header resolution, checks."""
