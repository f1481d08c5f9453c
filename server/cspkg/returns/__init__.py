"""Progress returns: a plan's delivery reported for one period (template, import, files)."""
