"""The public reading room: server-rendered pages over the research API's data and rules."""
