"""Teams' words: Adaptive Cards from the neutral views."""
