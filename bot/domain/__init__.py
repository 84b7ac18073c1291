"""Pure sales rules. Standard library only; time is always passed in."""
