"""The SOP sections of My week; importing this package registers them."""
