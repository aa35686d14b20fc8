"""Task methods shared by both backends (one implementation, numpy in and out)."""
