"""My week: commitments (sections are registered with `@section` from leados.web.my_week)."""
