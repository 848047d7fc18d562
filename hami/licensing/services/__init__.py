"""Every write of licensing, one module per aggregate: applications, committee, licences, keys."""
