"""Entity classes: the generic base, the class factory and the helpers
that specialise the classes of some schemas."""
