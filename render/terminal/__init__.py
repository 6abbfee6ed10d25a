"""The terminal's words, for `fremdrift try`."""
