from hypothesis import HealthCheck, settings

# Examples that cross a real socket: no per-example deadline on a shared, noisy machine.
settings.register_profile("typedws", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("typedws")
