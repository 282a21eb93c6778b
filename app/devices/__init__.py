"""Device drivers by kind — ``camera/``, ``fingerprint/``, ``idcard/`` — each with its interface, mock,
real drivers and registry; ``base`` holds what they share (errors, ``DeviceInfo``, ``Registry``) and
``factory`` builds the desk's drivers from the settings. Qt-free, never touching the database.

``DEVICE_MODULES`` lists the packages that define a driver registry (``base.Registry``) at import
time; ``base.registries()`` imports them to find every kind.
"""

DEVICE_MODULES = ("app.devices.camera", "app.devices.fingerprint", "app.devices.idcard")
