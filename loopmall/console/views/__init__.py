"""Staff console. One module per area (dashboard, insight, analytics, profiles), each with its own urls."""
