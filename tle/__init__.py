"""The element sets of tle/, mapped into the package so they ship inside the wheel."""
