"""A test-only app that contributes tools through the assistant_tools hook, as any app can."""

__version__ = "0.0.1"
