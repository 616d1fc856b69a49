"""My week: goals (sections are registered with `@section` from leados.web.my_week)."""
