"""The Dash app, figure builders, exports, accounts, the command line."""
