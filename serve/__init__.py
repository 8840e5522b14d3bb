"""serve: placeholder until its issue lands."""
