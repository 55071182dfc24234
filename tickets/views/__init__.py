"""Analyst pages, one module per place an analyst works: the queue, log a call, the ticket page."""
