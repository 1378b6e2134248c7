"""Views of exports: parse input, call one service, render (STYLE §2)."""
