"""现场确认's screens: the station view (``station_view``), its camera preview (``camera_preview`` with
its ``frame_grabber`` and ``analyser`` threads, ``frames``, ``overlays``), its dialogs (one per file),
the capture gallery and the camera check of printed pages (``camera_verify_dialog``).

Widgets, keys and signals only: what a capture does is in ``app.station``.
"""
