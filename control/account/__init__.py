"""What belongs to one person: sign-in, single sign-on, second factors, personal API tokens."""
