"""The SOP pages: a leader's routines, the library, runs and versions."""
