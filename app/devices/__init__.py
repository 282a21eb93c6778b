"""Device drivers (camera, fingerprint reader, ID-card reader): Qt-free, never touching the database.

``DEVICE_MODULES`` lists the modules that define a driver registry (``base.Registry``) at import
time; ``base.registries()`` imports them to find every kind.
"""

DEVICE_MODULES = ("app.devices.camera", "app.devices.fingerprint", "app.devices.idcard")
