"""Demo data: the standard demo bank (`resilia demo`) and large synthetic organisations
(`resilia demo --scale N`). Deterministic: the same run gives the same organisation."""
