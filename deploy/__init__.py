"""Several processes of the app behind a real load balancer (HAProxy): `python -m deploy --processes N`."""
